// people.yaml: who holds which role, the escalation chain and where notifications go — the seed's
// "Contacts and Escalation" as data, shared by every runbook.
import { z } from 'zod';
import { parseYaml, type ParsedYaml } from './load.js';

const ID = /^[a-z0-9][a-z0-9_-]*$/i;

export interface People {
  /** Role → the people who hold it. */
  roles: Record<string, string[]>;
  /** Role titles for people to read ("Primary on-call (DevOps engineer)"). */
  titles: Record<string, string>;
  /** Roles in the order a wait escalates through them. */
  escalation: string[];
  /** Where run notifications go: a Slack-compatible incoming webhook and/or a generic JSON webhook. */
  notify: { slack?: string; webhook?: string };
}

export const EMPTY_PEOPLE: People = { roles: {}, titles: {}, escalation: [], notify: {} };

const roleSchema = z.union([
  z.array(z.string().min(1)).transform((members) => ({ members, title: undefined })),
  z.strictObject({ title: z.string().optional(), members: z.array(z.string().min(1)) }),
]);

export const peopleSchema: z.ZodType<People> = z
  .strictObject({
    roles: z.record(z.string().regex(ID, { message: 'Expected a role id of letters, digits, "-" or "_"' }), roleSchema),
    escalation: z.array(z.string()).default([]),
    notify: z.strictObject({ slack: z.string().optional(), webhook: z.string().optional() }).default({}),
  })
  .superRefine((p, ctx) => {
    p.escalation.forEach((role, i) => {
      if (!Object.hasOwn(p.roles, role)) {
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', i],
          message: `Expected a role declared under roles (${Object.keys(p.roles).join(', ')}), got "${role}"`,
        });
      }
    });
  })
  .transform((p) => ({
    roles: Object.fromEntries(Object.entries(p.roles).map(([id, r]) => [id, r.members])),
    titles: Object.fromEntries(Object.entries(p.roles).flatMap(([id, r]) => (r.title ? [[id, r.title]] : []))),
    escalation: p.escalation,
    notify: p.notify,
  }));

/** Parses people.yaml; issues name the file, line and field. */
export function parsePeople(text: string, file: string): ParsedYaml<People> {
  return parseYaml(text, file, peopleSchema, 'people (a mapping with roles, escalation and notify)');
}

export { escalationLevels, rolesAtLevel } from './escalation.js';
