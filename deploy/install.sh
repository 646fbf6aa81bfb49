#!/usr/bin/env bash
# Install (or upgrade, or remove) vsmigrate's programs on a host, as root.
#
#   deploy/install.sh app              VisionSuit host: agent-app, the external connector, vsctl
#   deploy/install.sh db               PostgreSQL host: agent-db
#   deploy/install.sh app --uninstall  remove what the install put there, nothing else
#
# Idempotent: a second run changes nothing but the code (an upgrade replaces
# /opt/visionsuit-agent-<name> and restarts the units; config, state and the
# pairing stay). What it creates is listed in /var/lib/vsmigrate-install/<name>.manifest,
# which --uninstall reads: users and groups that existed before are kept, and so
# are config and state (the next step is printed).
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

component="${1:-}"
action=do_install
[ "${2:-}" = "--uninstall" ] && action=do_uninstall
case "$component" in app | db) ;; *) die "usage: install.sh app|db [--uninstall]" ;; esac
[ "$(id -u)" -eq 0 ] || die "run as root (it creates users, directories and systemd units)"

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MANIFEST_DIR=/var/lib/vsmigrate-install
MANIFEST="$MANIFEST_DIR/$component.manifest"
UNIT_DIR=/etc/systemd/system
systemd_up() { [ -d /run/systemd/system ]; }

if [ "$component" = app ]; then
  OPT=/opt/visionsuit-agent-app
  UNITS=(visionsuit-agent-app.service visionsuit-external-connector.service)
  CONFIG_DIRS=("/etc/visionsuit-agent-app:root:vsadmin" "/etc/visionsuit-external-connector:root:visionsuit-connector")
  STATE_DIRS=("/var/lib/visionsuit-agent-app:root:root:0700")
  GROUPS_NEEDED=(vsadmin)
  USERS_NEEDED=(visionsuit-connector)
else
  OPT=/opt/visionsuit-agent-db
  UNITS=(visionsuit-agent-db.service)
  CONFIG_DIRS=("/etc/visionsuit-agent-db:root:visionsuit-agent-db")
  STATE_DIRS=("/var/lib/visionsuit-agent-db:visionsuit-agent-db:visionsuit-agent-db:0750")
  GROUPS_NEEDED=()
  USERS_NEEDED=(visionsuit-agent-db)
fi

record() { grep -qxF "$1" "$MANIFEST" 2>/dev/null || echo "$1" >>"$MANIFEST"; }

do_uninstall() {
  [ -f "$MANIFEST" ] || die "nothing to remove: $MANIFEST does not exist (was '$component' installed by this script?)"
  for unit in "${UNITS[@]}"; do
    if systemd_up; then systemctl disable --now "$unit" 2>/dev/null || true; else systemctl disable "$unit" 2>/dev/null || true; fi
  done
  # Reverse order: files before the users that own them.
  tac "$MANIFEST" | while IFS=' ' read -r kind what; do
    case "$kind" in
      unit) rm -f "$UNIT_DIR/$what" && say "removed unit $what" ;;
      code) rm -rf "$what" && say "removed $what" ;;
      user) userdel "$what" 2>/dev/null && say "removed user $what" ;;
      group) groupdel "$what" 2>/dev/null && say "removed group $what" ;;
      bin) [ -L "$what" ] && rm -f "$what" && say "removed $what" ;;
    esac
  done
  systemd_up && systemctl daemon-reload
  rm -f "$MANIFEST"
  rmdir "$MANIFEST_DIR" 2>/dev/null || true
  say "kept config and state (the pairing among them):"
  for d in "${CONFIG_DIRS[@]}" "${STATE_DIRS[@]}"; do say "  ${d%%:*}"; done
  say "remove them by hand once they are no longer needed (rm -r <dir>)"
}

# Not named `install`: the body calls install(1).
do_install() {
  local node
  node="$(command -v node || true)"
  [ "$node" = /usr/bin/node ] || die "the units run /usr/bin/node; found '${node:-nothing}' (install Node.js 20 from Debian's or NodeSource's packages)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=12)?0:1)' ||
    die "Node.js >= 20.12 is needed; found $(node --version)"
  if [ "$component" = app ]; then
    # The connector's data path is OpenSSH's client; its byte counts come from ss(8).
    command -v ssh >/dev/null || die "the external connector needs OpenSSH's client: apt-get install openssh-client"
    command -v ss >/dev/null || die "the external connector needs ss: apt-get install iproute2"
  fi
  mkdir -p "$MANIFEST_DIR"
  chmod 0700 "$MANIFEST_DIR"

  for g in "${GROUPS_NEEDED[@]}"; do
    if ! getent group "$g" >/dev/null; then groupadd --system "$g" && record "group $g" && say "created group $g"; fi
  done
  for u in "${USERS_NEEDED[@]}"; do
    if ! getent passwd "$u" >/dev/null; then
      useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$u" && record "user $u" && say "created user $u"
    fi
  done

  # The release: built here when the checkout has no build, copied whole, then
  # pruned to production dependencies (offline: the lockfile has them all).
  if [ ! -f "$SRC/dist/agent-app/main.js" ] || [ ! -d "$SRC/node_modules" ]; then
    say "building the release in $SRC (npm ci, npm run build)"
    (cd "$SRC" && npm ci --no-audit --no-fund && npm run build)
  fi
  local stage="$OPT.new"
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -a "$SRC/package.json" "$SRC/package-lock.json" "$SRC/README.md" "$SRC/dist" "$SRC/proto" "$SRC/node_modules" "$stage/"
  mkdir -p "$stage/deploy" && cp -a "$SRC/deploy/systemd" "$stage/deploy/"
  (cd "$stage" && npm prune --omit=dev --no-audit --no-fund >/dev/null 2>&1) || say "npm prune failed; the development packages stay (harmless)"
  chown -R root:root "$stage"
  chmod -R go-w "$stage"
  local upgrade=no
  [ -d "$OPT" ] && upgrade=yes
  rm -rf "$OPT.old"
  [ -d "$OPT" ] && mv "$OPT" "$OPT.old"
  mv "$stage" "$OPT"
  rm -rf "$OPT.old"
  record "code $OPT"
  say "$([ $upgrade = yes ] && echo upgraded || echo installed) $OPT ($(node -p "require('$OPT/package.json').version"))"
  if [ "$component" = app ]; then
    ln -sfn "$OPT/dist/vsctl/main.js" /usr/local/bin/vsctl && record "bin /usr/local/bin/vsctl"
    chmod 0755 "$OPT/dist/vsctl/main.js"
  else
    ln -sfn "$OPT/dist/agent-db/main.js" /usr/local/bin/vs-agent-db && record "bin /usr/local/bin/vs-agent-db"
    chmod 0755 "$OPT/dist/agent-db/main.js"
  fi

  # Config directories and files: created once, never overwritten (an upgrade keeps them).
  for spec in "${CONFIG_DIRS[@]}"; do
    IFS=: read -r dir owner group <<<"$spec"
    mkdir -p "$dir"
    chown "$owner:$group" "$dir"
    chmod 0750 "$dir"
    if [ ! -f "$dir/config.json" ]; then
      echo '{}' >"$dir/config.json"
      say "created $dir/config.json (defaults; every key: $OPT/README.md, docs/configuration.md)"
    fi
    chown "$owner:$group" "$dir/config.json"
    chmod 0640 "$dir/config.json"
  done
  for spec in "${STATE_DIRS[@]}"; do
    IFS=: read -r dir owner group mode <<<"$spec"
    mkdir -p "$dir"
    chown "$owner:$group" "$dir"
    chmod "$mode" "$dir"
  done

  mkdir -p "$UNIT_DIR"
  for unit in "${UNITS[@]}"; do
    install -m 0644 "$OPT/deploy/systemd/$unit" "$UNIT_DIR/$unit"
    record "unit $unit"
  done
  if systemd_up; then
    systemctl daemon-reload
    for unit in "${UNITS[@]}"; do systemctl enable "$unit" >/dev/null 2>&1; done
    if [ $upgrade = yes ]; then
      for unit in "${UNITS[@]}"; do systemctl try-restart "$unit"; done
    fi
  else
    say "systemd is not running here: units installed in $UNIT_DIR, not enabled"
  fi

  say "next step:"
  if [ "$component" = db ]; then
    say "  vs-agent-db bootstrap --bootstrap-ssh-host=<this host's name as the VisionSuit host reaches it>"
    say "  then: systemctl restart visionsuit-agent-db; journalctl -u visionsuit-agent-db -f"
  elif [ ! -f /var/lib/visionsuit-agent-app/pairing.conf ]; then
    say "  systemctl start visionsuit-agent-app; copy the PostgreSQL host's /etc/visionsuit-agent-db/vs-conf.txt here"
    say "  (chmod 600), vsctl pair --bundle vs-conf.txt; then: systemctl start visionsuit-external-connector && vsctl preflight"
  else
    say "  vsctl status"
  fi
}

"$action"
