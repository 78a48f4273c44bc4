// Markdown text → mdast tree, with the guards that keep any input from crashing or hanging the import.
import type { Root } from 'mdast';
import { defuse } from './guard.js';
import { markdownToMdast, MAX_TOKEN_NESTING } from './mdit.js';
import type { Note } from './types.js';

/** The largest document read (characters); a DR plan is a few dozen kilobytes. */
export const MAX_DOCUMENT_CHARS = 2 * 1024 * 1024;

/** A document that cannot be imported at all; `message` says why, for one line of output. */
export class DocumentError extends Error {
  override readonly name = 'DocumentError';
}

/** Bytes → text. Invalid UTF-8 is replaced (U+FFFD) and reported, never fatal. */
export function decodeDocument(bytes: Uint8Array): { text: string; notes: Note[] } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), notes: [] };
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    const bad = countMatches(text, /\uFFFD/g);
    return { text, notes: [{ level: 'warning', line: 1, message: `The file is not valid UTF-8: ${bad} invalid byte sequence(s) were replaced by U+FFFD` }] };
  }
}

function countMatches(text: string, pattern: RegExp): number {
  let n = 0;
  for (const _ of text.matchAll(pattern)) n++;
  return n;
}

// Control characters other than tab, line feed and carriage return; lone UTF-16 surrogates.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text the parser reads: size and binary checks, control characters replaced, pathological
 * input defused. Throws DocumentError for input that is too large or is mostly not text.
 */
export function prepareDocument(input: string): { text: string; notes: Note[] } {
  const notes: Note[] = [];
  if (input.length > MAX_DOCUMENT_CHARS) {
    throw new DocumentError(`Expected a Markdown document of at most ${MAX_DOCUMENT_CHARS / 1024 / 1024} MB, got ${(input.length / 1024 / 1024).toFixed(1)} MB`);
  }
  let text = input.replace(/^\uFEFF/, '').replace(LONE_SURROGATE, '\uFFFD');
  const control = countMatches(text, CONTROL) + countMatches(text, /\uFFFD/g);
  if (text.length >= 64 && control / text.length > 0.1) {
    throw new DocumentError(`Expected a Markdown document, got binary data (${Math.round((100 * control) / text.length)}% of the characters are control characters or invalid UTF-8)`);
  }
  if (control > 0) {
    text = text.replace(CONTROL, '\uFFFD');
    notes.push({ level: 'warning', line: 1, message: `The document contains ${control} control or invalid character(s); they were read as U+FFFD` });
  }
  const safe = defuse(text);
  notes.push(...safe.notes);
  return { text: safe.text, notes };
}

/**
 * Parses Markdown (CommonMark + GFM tables and task lists) into an mdast tree with line positions.
 * Throws DocumentError for input that is too large or is mostly not text.
 */
export function parseMarkdown(input: string): { tree: Root; notes: Note[] } {
  const { text, notes } = prepareDocument(input);
  const { tree, tooDeep } = markdownToMdast(text);
  if (tooDeep !== undefined) notes.push({ level: 'warning', line: tooDeep, message: `nesting deeper than ${MAX_TOKEN_NESTING} levels: the rest of that block was not read` });
  return { tree, notes };
}
