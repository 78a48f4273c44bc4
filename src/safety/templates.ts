// Runbook placeholders (`{{ inputs.db }}`) are resolved at run time; before parsing, each is replaced
// by a neutral word that is both a shell word and an SQL identifier, so the text still parses and a
// placeholder is still recognisable where it matters (a program's name, a statement's place).

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const MARK = /__dr_tpl_(\d+)__/g;

/** Text with its placeholders replaced, and the originals to put back in reasons. */
export interface Masked {
  text: string;
  originals: string[];
}

export function maskTemplates(text: string): Masked {
  const originals: string[] = [];
  const masked = text.replace(PLACEHOLDER, (whole) => {
    originals.push(whole);
    return `__dr_tpl_${originals.length - 1}__`;
  });
  return { text: masked, originals };
}

/** Puts the placeholders back into a piece of masked text (for reasons). */
export function unmask(text: string, originals: readonly string[]): string {
  return originals.length === 0 ? text : text.replace(MARK, (whole, n: string) => originals[Number(n)] ?? whole);
}

/** True when the text holds a placeholder (masked or not). */
export const hasTemplate = (text: string): boolean => /__dr_tpl_\d+__|\{\{[^{}]*\}\}/.test(text);

/** The neutral word that stands for a value only known at run time ($x, $(...)). */
export const RUNTIME_VALUE = '__dr_value__';
