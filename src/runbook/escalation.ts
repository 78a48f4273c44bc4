// The escalation chain of a wait on people. Pure and dependency-free: the workflow uses it.

/**
 * The roles a wait may widen to after `level` escalations: the step's own roles, then each role of
 * the chain after the last one already included, one per level.
 */
export function rolesAtLevel(stepRoles: readonly string[], escalation: readonly string[], level: number): string[] {
  const roles = [...stepRoles];
  const start = Math.max(-1, ...stepRoles.map((r) => escalation.indexOf(r)));
  for (const role of escalation.slice(start + 1, start + 1 + level)) if (!roles.includes(role)) roles.push(role);
  return roles;
}

/** How many escalation levels exist beyond the step's own roles. */
export function escalationLevels(stepRoles: readonly string[], escalation: readonly string[]): number {
  const start = Math.max(-1, ...stepRoles.map((r) => escalation.indexOf(r)));
  return Math.max(0, escalation.length - (start + 1));
}
