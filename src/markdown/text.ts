// Plain text and source lines of mdast nodes. Iterative, so deeply nested input cannot overflow the stack.
import type { Nodes } from 'mdast';

/** The line a node starts on (1-based); `fallback` when the node has no position. */
export function lineOf(node: Nodes | undefined, fallback = 1): number {
  return node?.position?.start.line ?? fallback;
}

/** The line a node ends on. */
export function endLineOf(node: Nodes | undefined, fallback = 1): number {
  return node?.position?.end.line ?? fallback;
}

/**
 * Text of a node as a person reads it: inline code kept, hard breaks as new lines, images by
 * their alt text. Block children are joined by new lines.
 */
export function textOf(node: Nodes): string {
  const out: string[] = [];
  const stack: Array<Nodes | string> = [node];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    if (item.type === 'break') out.push('\n');
    else if (item.type === 'image' || item.type === 'imageReference') out.push(item.alt ?? '');
    else if (item.type === 'html') out.push(item.value.startsWith('<!--') ? '' : item.value);
    else if ('value' in item && typeof item.value === 'string') out.push(item.value);
    else if ('children' in item) {
      const block = item.type === 'listItem' || item.type === 'list' || item.type === 'blockquote' || item.type === 'root';
      const children = item.children as Nodes[];
      for (let i = children.length - 1; i >= 0; i--) {
        stack.push(children[i]!);
        if (block && i > 0) stack.push('\n');
      }
    }
  }
  return out.join('');
}

/** Collapses runs of spaces and trims; new lines are kept. */
export function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .trim();
}

/** One line of text: every run of whitespace (new lines too) becomes one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
