// Programs whose effect does not depend on a verb: readers, shell builtins, and the plainly
// destructive or state-changing tools. Programs whose flags matter have their own files.
import { changesState, destructive, readOnly, type Verdict } from '../../runbook/effect.js';
import { parseOptions, words } from '../options.js';
import type { Command, ProgramClassifier } from '../types.js';
import { quote } from '../types.js';

const READERS = `echo printf cat tac ls ll dir grep egrep fgrep rg zgrep head tail wc df du ping ping6 dig nslookup
  host date sleep test [ [[ whoami id groups uptime stat sha1sum sha256sum sha512sum md5sum cksum b2sum jq
  cut tr column nl fold paste join comm diff cmp rev base64 base32 xxd od hexdump strings file readlink
  realpath basename dirname pwd true false : printenv uname lsb_release arch nproc free vmstat iostat mpstat
  sar ps pgrep pidof lsof ss netstat traceroute tracepath mtr which whereis type getent lsblk blkid findmnt
  last w who tree less more seq expr bc yes zcat bzcat xzcat zless pg_isready pg_controldata pg_waldump
  pg_lsclusters pg_config pg_test_fsync systemd-analyze getconf locale wait read shift exit return break
  continue set unset shopt cd pushd popd dirs local export declare typeset readonly umask ulimit getopts hash
  caller times let mapfile readarray top htop iotop dstat ssh-keyscan
  tput clear stty logname tty sha224sum sha384sum du`.split(/\s+/);

/** Destructive whatever their arguments; the reason follows the command. */
const DESTROYERS: Record<string, string> = {
  rm: 'deletes files',
  rmdir: 'deletes directories',
  unlink: 'deletes a file',
  shred: 'overwrites files beyond recovery',
  dd: 'writes raw blocks to a device or file',
  wipefs: 'erases filesystem signatures',
  truncate: 'cuts files to a size',
  pkill: 'kills processes',
  killall: 'kills processes',
  shutdown: 'shuts the machine down',
  reboot: 'reboots the machine',
  halt: 'halts the machine',
  poweroff: 'powers the machine off',
  dropdb: 'drops a database',
  dropuser: 'drops a database role',
  userdel: 'deletes a user',
  groupdel: 'deletes a group',
  lvremove: 'removes a logical volume',
  vgremove: 'removes a volume group',
  pvremove: 'removes a physical volume',
  pg_archivecleanup: 'deletes WAL files',
  pg_resetwal: 'resets the write-ahead log (data can be lost)',
  pg_rewind: 'rewrites a data directory',
};

/** Change state whatever their arguments. */
const CHANGERS: Record<string, string> = {
  cp: 'copies files',
  mv: 'moves files',
  install: 'installs files',
  mkdir: 'creates directories',
  touch: 'creates or touches files',
  chmod: 'changes permissions',
  chown: 'changes ownership',
  chgrp: 'changes ownership',
  ln: 'creates links',
  createdb: 'creates a database',
  createuser: 'creates a database role',
  useradd: 'creates a user',
  usermod: 'changes a user',
  mount: 'mounts a filesystem',
  umount: 'unmounts a filesystem',
  rsync: 'copies files',
  scp: 'copies files',
  vacuumdb: 'vacuums a database',
  reindexdb: 'rebuilds indexes',
  clusterdb: 'reorders tables',
  pg_basebackup: 'writes a base backup',
  pg_upgrade: 'upgrades a cluster',
  pg_receivewal: 'writes WAL files',
  initdb: 'creates a cluster',
  logger: 'writes to the system log',
  sysctl: 'may change kernel settings',
  logrotate: 'rotates log files',
};

const reader: ProgramClassifier = (c) => readOnly(`${quote(c.display)} only reads`);
const fixed = (make: (reason: string) => Verdict, reason: string): ProgramClassifier => (c) => make(`${quote(c.display)} ${reason}`);

const kill: ProgramClassifier = (c) => {
  const flags = c.args.slice(1).map((a) => a.text);
  if (flags[0] === '-0' || flags[0] === '-l' || flags[0] === '-L') return readOnly(`${quote(c.display)} only checks a process or lists signals`);
  return destructive(`${quote(c.display)} kills processes`);
};

const rsync: ProgramClassifier = (c) => {
  const p = parseOptions(c.args.slice(1), { short: 'eBfT', long: ['rsh', 'filter', 'exclude', 'include', 'temp-dir'] });
  const names = p.options.map((o) => o.name);
  if (names.includes('-n') || names.includes('--dry-run')) return readOnly(`${quote(c.display)} is a dry run`);
  if (names.some((n) => n.startsWith('--delete') || n === '--remove-source-files')) return destructive(`${quote(c.display)} deletes files at the destination`);
  return changesState(`${quote(c.display)} copies files`);
};

/** `date -s`, `hostname NAME`, `crontab -r`: readers with one writing form. */
const date: ProgramClassifier = (c) => (c.args.some((a) => /^(-s|--set)/.test(a.text)) ? changesState(`${quote(c.display)} sets the clock`) : readOnly(`${quote(c.display)} only reads`));
const hostname: ProgramClassifier = (c) =>
  words(parseOptions(c.args.slice(1), { short: 'F', long: ['file'] })).length > 0 ? changesState(`${quote(c.display)} renames the host`) : readOnly(`${quote(c.display)} only reads`);
const crontab: ProgramClassifier = (c) => {
  const flags = c.args.slice(1).map((a) => a.text);
  if (flags.some((f) => /^-\w*r/.test(f))) return destructive(`${quote(c.display)} removes the crontab`);
  if (flags.some((f) => /^-\w*l/.test(f))) return readOnly(`${quote(c.display)} only lists the crontab`);
  return changesState(`${quote(c.display)} replaces the crontab`);
};

const mkfs: ProgramClassifier = (c: Command) => destructive(`${quote(c.display)} formats a device`);

export const BASIC: Record<string, ProgramClassifier> = {
  ...Object.fromEntries(READERS.map((name) => [name, reader])),
  ...Object.fromEntries(Object.entries(DESTROYERS).map(([name, why]) => [name, fixed(destructive, why)])),
  ...Object.fromEntries(Object.entries(CHANGERS).map(([name, why]) => [name, fixed(changesState, why)])),
  kill,
  rsync,
  date,
  hostname,
  crontab,
  mkfs,
  'mkfs.ext4': mkfs,
  'mkfs.xfs': mkfs,
  'mkfs.btrfs': mkfs,
  'mkfs.vfat': mkfs,
  mkswap: mkfs,
};
