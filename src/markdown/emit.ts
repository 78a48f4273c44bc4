// Runbook data → YAML text: comments where a reviewer needs them, multi-line text as literal
// blocks, short lists inline. Writes what the yaml Document API writes (lineWidth 0, no flow
// padding) for the plain data the importer builds, without building a Document: that took a
// third of the import's time. Each scalar is still written by yaml's own stringifier, so quoting
// and block styles are the library's; test/unit/markdown/emit.test.ts compares the two.
import { Document, Scalar } from 'yaml';
import { stringifyNumber, stringifyString, type StringifyContext } from 'yaml/util';
import type { YamlComment } from './build.js';

const commentString = (text: string) => text.replace(/^(?!$)(?: $)?/gm, '#');
const indentComment = (comment: string, indent: string) => (/^\n+$/.test(comment) ? comment.substring(1) : indent ? comment.replace(/^(?! *$)/gm, indent) : comment);
const lineComment = (str: string, indent: string, comment: string) =>
  str.endsWith('\n') ? indentComment(comment, indent) : comment.includes('\n') ? `\n${indentComment(comment, indent)}` : (str.endsWith(' ') ? '' : ' ') + comment;

const STEP = '  ';
// yaml's defaults (createStringifyContext) with the two options the importer sets.
const BASE: StringifyContext = {
  anchors: new Set(),
  doc: new Document(),
  flowCollectionPadding: '',
  indent: '',
  indentStep: STEP,
  inFlow: null,
  options: {
    blockQuote: true,
    commentString,
    defaultKeyType: null,
    defaultStringType: 'PLAIN',
    directives: null,
    doubleQuotedAsJSON: false,
    doubleQuotedMinMultiLineLength: 40,
    falseStr: 'false',
    flowCollectionPadding: false,
    indentSeq: true,
    lineWidth: 0,
    minContentWidth: 20,
    nullStr: 'null',
    simpleKeys: false,
    singleQuote: null,
    trailingComma: false,
    trueStr: 'true',
    verifyAliasOrder: true,
  },
};

/** The comments of a node and of the nodes under it. */
interface Notes {
  before?: string;
  inline?: string;
  under?: Map<string | number, Notes>;
}

const NONE: Notes = {};
const child = (notes: Notes, key: string | number): Notes => notes.under?.get(key) ?? NONE;

/** The contexts of one indent: built once, not per scalar. */
interface Level {
  indent: string;
  value: StringifyContext;
  key: StringifyContext;
  flow: StringifyContext;
  next?: Level;
}

function level(indent: string): Level {
  const ctx = (implicitKey: boolean, inFlow: boolean | null): StringifyContext => ({ ...BASE, actualString: true, indent, implicitKey, inFlow });
  return { indent, value: ctx(false, null), key: ctx(true, null), flow: ctx(false, true) };
}
const ROOT = level('');
const deeper = (l: Level): Level => (l.next ??= level(l.indent + STEP));

// A one-line string that yaml writes as is: it starts with a letter (no indicator, number, or
// document marker), has no control character, ": ", " #", or trailing space or colon, and is not
// a null or boolean word. Anything else goes to yaml's stringifier.
// eslint-disable-next-line no-control-regex -- control characters are what must be quoted
const NOT_PLAIN = /[\x00-\x1f\x7f-\x9f\ud800-\udfff]|: |:$| #|\s$/;
const RESERVED = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const plainAsIs = (value: string, inFlow: boolean) =>
  (/^[A-Za-z]/.test(value) || /^(?:\d+[hms])+$/.test(value)) && !NOT_PLAIN.test(value) && !RESERVED.test(value) && !(inFlow && /[[\]{},]/.test(value));

function scalar(value: string, ctx: StringifyContext, comment: string | undefined, onComment?: () => void): string {
  if (plainAsIs(value, ctx.inFlow === true)) return value;
  const item = { value, type: value.includes('\n') ? Scalar.BLOCK_LITERAL : undefined, comment };
  const str = stringifyString(item as Scalar, ctx, onComment);
  // yaml sets this on a context at the root indent only, which the importer's scalars never are at.
  ctx.forceBlockIndent = undefined;
  return str;
}

function node(value: unknown, at: Level, inFlow: boolean, notes: Notes, onComment?: () => void): string {
  if (typeof value === 'string') return scalar(value, inFlow ? at.flow : at.value, notes.inline, onComment);
  if (typeof value === 'boolean') return value ? BASE.options.trueStr : BASE.options.falseStr;
  if (typeof value === 'number') return stringifyNumber({ value } as Scalar);
  if (Array.isArray(value) && flowList(value)) return flowSeq(value, at, notes);
  if (value === null || typeof value !== 'object') throw new TypeError(`Runbook data holds a value YAML is not written for: ${String(value)}`);
  const str = Array.isArray(value) ? blockSeq(value, at, notes) : map(value as Record<string, unknown>, at, notes);
  // A block collection's own comment goes on a line after it.
  if (!notes.inline) return str;
  onComment?.();
  return `${str}\n${indentComment(commentString(notes.inline), at.indent)}`;
}

function map(map: Record<string, unknown>, at: Level, notes: Notes): string {
  let out = '';
  for (const key in map) {
    const value = map[key];
    if (value === undefined) continue;
    out += (out ? `\n${at.indent}` : '') + pair(key, value, deeper(at), child(notes, key));
  }
  return out || '{}';
}

// Keys are the runbook's field, input and variable names (60 characters at most): yaml would
// write a key over 1024 characters as an explicit `? key`, which is not done here.
function pair(key: string, value: unknown, at: Level, notes: Notes): string {
  const indent = at.indent;
  let str = `${scalar(key, at.key, undefined)}:`;
  let commentDone = false;
  const valueStr = node(value, at, false, notes, () => (commentDone = true));
  const isScalar = value === null || typeof value !== 'object';
  let ws = ' ';
  if (notes.before) {
    ws = `\n${indentComment(commentString(notes.before), indent)}`;
    if (valueStr !== '') ws += `\n${indent}`;
  } else if (!isScalar) {
    const flow = Array.isArray(value) ? flowList(value) : Object.keys(value as object).length === 0;
    if (!flow || valueStr.includes('\n')) ws = `\n${indent}`;
  } else if (valueStr === '' || valueStr[0] === '\n') ws = '';
  str += ws + valueStr;
  if (notes.inline && !commentDone) str += lineComment(str, indent, commentString(notes.inline));
  return str;
}

function blockSeq(items: readonly unknown[], at: Level, notes: Notes): string {
  const itemLevel = deeper(at);
  const lines: string[] = [];
  items.forEach((item, i) => {
    const itemNotes = child(notes, i);
    if (itemNotes.before) lines.push(indentComment(commentString(itemNotes.before), at.indent).trimStart());
    let comment = itemNotes.inline;
    let str = node(item, itemLevel, false, itemNotes, () => (comment = undefined));
    if (comment) str += lineComment(str, itemLevel.indent, commentString(comment));
    lines.push(`- ${str}`);
  });
  return lines.length ? lines.join(`\n${at.indent}`) : '[]';
}

function flowSeq(items: readonly unknown[], at: Level, notes: Notes): string {
  const itemLevel = deeper(deeper(at));
  let newline = false;
  let linesAtValue = 0;
  const lines: string[] = [];
  items.forEach((item, i) => {
    const itemNotes = child(notes, i);
    if (itemNotes.before) lines.push(indentComment(commentString(itemNotes.before), at.indent).trimStart());
    let str = node(item, itemLevel, true, itemNotes);
    // Comments and line breaks put the items on lines of their own.
    newline ||= itemNotes.inline !== undefined || lines.length > linesAtValue || str.includes('\n');
    if (i < items.length - 1) str += ',';
    if (itemNotes.inline) str += lineComment(str, itemLevel.indent, commentString(itemNotes.inline));
    lines.push(str);
    linesAtValue = lines.length;
  });
  if (!lines.length) return '[]';
  return newline ? `[${lines.map((l) => (l ? `\n${STEP}${at.indent}${l}` : '\n')).join('')}\n${at.indent}]` : `[${lines.join(' ')}]`;
}

/** Short lists of short scalars are written inline (`[live]`). */
function flowList(items: readonly unknown[]): boolean {
  return items.length <= 6 && items.every((item) => (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') && String(item).length < 40);
}

/** Serializes a runbook; `header` opens the file as a comment. */
export function emitYaml(data: Record<string, unknown>, header: string, comments: readonly YamlComment[]): string {
  const notes: Notes = {};
  for (const c of comments) {
    let n = notes;
    for (const key of c.path) {
      n.under ??= new Map();
      let next = n.under.get(key);
      if (!next) n.under.set(key, (next = {}));
      n = next;
    }
    // A later comment for the same node replaces an earlier one, as assigning a node's comment does.
    if (c.inline) n.inline = c.text;
    else n.before = c.text;
  }
  const body = map(data, ROOT, notes);
  return header ? `${indentComment(commentString(header), '')}\n\n${body}\n` : `${body}\n`;
}
