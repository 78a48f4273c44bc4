// Every program the classifier knows, by base name. Adding a program = an entry in one of these tables.
import type { ProgramClassifier } from '../types.js';
import { BASIC } from './basic.js';
import { CLOUD } from './cloud.js';
import { DATABASES } from './databases.js';
import { DOCKER } from './docker.js';
import { GIT } from './git.js';
import { HTTP_CLIENTS } from './http-clients.js';
import { KAFKA } from './kafka.js';
import { KUBERNETES } from './kubernetes.js';
import { POSTGRES } from './postgres.js';
import { REDIS } from './redis.js';
import { SERVICES } from './services.js';
import { SHELLS } from './shells.js';
import { TEXT_TOOLS } from './text-tools.js';

const TABLE: Record<string, ProgramClassifier> = {
  ...BASIC, ...TEXT_TOOLS, ...SHELLS, ...KUBERNETES, ...DOCKER, ...SERVICES, ...REDIS, ...CLOUD, ...GIT, ...HTTP_CLIENTS, ...POSTGRES, ...DATABASES, ...KAFKA,
};

/** The table entry for a program's base name (`mkfs.*` share one). */
export function programClassifier(name: string): ProgramClassifier | undefined {
  if (Object.hasOwn(TABLE, name)) return TABLE[name];
  if (name.startsWith('mkfs.')) return TABLE.mkfs;
  return undefined;
}
