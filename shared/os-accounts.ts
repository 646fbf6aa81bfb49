// Linux users and groups as the account databases list them (/etc/passwd,
// /etc/group), read directly: no getent child, no NSS surprises for the
// system accounts vsmigrate creates and checks.
import { readFileSync } from 'node:fs';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

function rows(path: string): string[][] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

export function lookupUser(name: string): OsUser | null {
  const r = rows('/etc/passwd').find((f) => f[0] === name);
  return r ? { name, uid: Number(r[2]), gid: Number(r[3]), home: r[5] ?? '', shell: r[6] ?? '' } : null;
}

export function lookupGroup(name: string): { gid: number; members: string[] } | null {
  const r = rows('/etc/group').find((f) => f[0] === name);
  return r ? { gid: Number(r[2]), members: (r[3] ?? '').split(',').filter(Boolean) } : null;
}
