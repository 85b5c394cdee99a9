#!/usr/bin/env bash
# `make test-slurm` needs munged, slurmctld, slurmd and the Slurm clients: Debian's slurm-wlm and munge.
# As root they are installed when missing; otherwise a missing one is one line and exit 2.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
needed=(munged slurmctld slurmd sbatch scontrol scancel sinfo)
missing=()
for program in "${needed[@]}"; do
    command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "test-slurm: ${missing[*]} not installed; run as root (installs slurm-wlm and munge) or install them" >&2
    exit 2
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
