#!/usr/bin/env bash
# Provision the real-OVN oracle: a Debian trixie chroot with OVN 25.03.x and OVS 3.5.x.
# Usage: test/oracle/provision.sh [DIR]   (default: $UDNC_OVN_ROOT or /opt/ovn-trixie)
# Idempotent: an existing, complete chroot is only verified. Needs root (debootstrap, chroot).
set -euo pipefail

DIR="${1:-${UDNC_OVN_ROOT:-/opt/ovn-trixie}}"
MIRROR="${UDNC_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PKGS=ovn-central,ovn-host,openvswitch-switch

if [ "$(id -u)" -ne 0 ]; then
  echo "provision.sh: must run as root (debootstrap and chroot need it)" >&2
  exit 1
fi

# A chroot is complete when debootstrap finished (it removes its work dir last) and the
# daemons the harness starts are present.
# Tested inside the chroot: some binaries are absolute symlinks (/etc/alternatives/...).
complete() {
  [ -x "$DIR/usr/bin/env" ] && [ ! -d "$DIR/debootstrap" ] &&
    chroot "$DIR" /usr/bin/test -x /usr/bin/ovn-northd -a -x /usr/bin/ovn-controller \
      -a -x /usr/sbin/ovs-vswitchd -a -x /usr/sbin/ovsdb-server \
      -a -f /usr/share/ovn/ovn-sb.ovsschema -a -f /usr/share/openvswitch/vswitch.ovsschema 2>/dev/null
}

if ! complete; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    echo "provision.sh: installing debootstrap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq debootstrap >/dev/null
  fi
  if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
    # A half-made chroot (interrupted debootstrap) cannot be resumed reliably: start over.
    # Refuse to wipe anything that does not look like a debootstrap target.
    if [ ! -d "$DIR/debootstrap" ] && [ ! -d "$DIR/usr" ]; then
      echo "provision.sh: $DIR exists and is not a chroot; refusing to overwrite" >&2
      exit 1
    fi
    for m in proc sys dev/pts dev; do
      if mountpoint -q "$DIR/$m" 2>/dev/null; then
        echo "provision.sh: $DIR/$m is mounted; unmount it first" >&2
        exit 1
      fi
    done
    echo "provision.sh: removing incomplete chroot $DIR"
    rm -rf --one-file-system "$DIR"
  fi
  echo "provision.sh: debootstrap trixie into $DIR (this takes a minute or two)"
  mkdir -p "$DIR"
  debootstrap --variant=minbase --include="$PKGS" trixie "$DIR" "$MIRROR" >"$DIR.debootstrap.log" 2>&1 || {
    echo "provision.sh: debootstrap failed; tail of $DIR.debootstrap.log:" >&2
    tail -n 30 "$DIR.debootstrap.log" >&2
    exit 1
  }
  complete || { echo "provision.sh: chroot incomplete after debootstrap" >&2; exit 1; }
fi

# No /proc, /sys or /dev mounts are needed: the daemons run fine without them in the chroot.
northd="$(chroot "$DIR" ovn-northd --version | head -n 1)"
vswitchd="$(chroot "$DIR" ovs-vswitchd --version | head -n 1)"
controller="$(chroot "$DIR" ovn-controller --version | head -n 1)"
case "$northd" in
  "ovn-northd 25.03."*) ;;
  *) echo "provision.sh: expected ovn-northd 25.03.x in $DIR, got: $northd" >&2; exit 1 ;;
esac
case "$vswitchd" in
  *" 3.5."*) ;;
  *) echo "provision.sh: expected Open vSwitch 3.5.x in $DIR, got: $vswitchd" >&2; exit 1 ;;
esac
echo "provision.sh: chroot $DIR ready"
echo "  $northd"
echo "  $controller"
echo "  $vswitchd"
