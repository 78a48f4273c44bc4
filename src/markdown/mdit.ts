// Markdown → mdast through markdown-it. micromark (mdast-util-from-markdown) builds the same tree
// but takes seconds per megabyte on list-heavy documents; markdown-it takes a fraction of that.
// Only the mdast the importer reads is built: block nodes with their lines, inline nodes without
// positions, no `spread` on lists. test/unit/markdown/parsers.test.ts checks the trees against micromark's.
import type { Delete, Emphasis, Link, Nodes, Parents, PhrasingContent, Root, Strong } from 'mdast';
import MarkdownIt, { type Delimiter, type MarkdownIt as Parser, type StateBlock, type StateCore, type StateInline, type Token } from 'markdown-it';

/** Token nesting deeper than this is not parsed (markdown-it skips the rest of the block). */
export const MAX_TOKEN_NESTING = 100;

const TASK = /^\[([ \t\nxX])\][ \t\n]/;

/**
 * GFM task list items: a list item whose first paragraph starts with `[ ]`, `[x]` or `[X]` and
 * whitespace. The marker and one whitespace character are removed before inline parsing, as GFM does.
 */
function taskListItems(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 0; i + 2 < tokens.length; i++) {
    const item = tokens[i]!;
    if (item.type !== 'list_item_open' || tokens[i + 1]!.type !== 'paragraph_open') continue;
    const inline = tokens[i + 2]!;
    const match = TASK.exec(inline.content);
    if (!match) continue;
    item.meta = { checked: match[1] === 'x' || match[1] === 'X' };
    inline.content = inline.content.slice(4);
  }
}

type BlockRule = (state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean;
type InlineRule = (state: StateInline, silent: boolean) => boolean;

/** A built-in rule by name, to wrap it: markdown-it exports only the rulers that hold them. */
function ruleOf<A extends unknown[], R>(ruler: { __rules__: Array<{ name: string; fn: (...args: A) => R }> }, name: string): (...args: A) => R {
  return ruler.__rules__.find((r) => r.name === name)!.fn;
}

/**
 * Cells of a table row as GFM splits them: at pipes, without the outer ones; `\\|` is a pipe in
 * the cell and `\\\\` an escaped backslash (markdown-it reads `\\\\|` as an escaped pipe).
 */
function rowCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let endsWithPipe = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    endsWithPipe = false;
    if (c === '\\' && (line[i + 1] === '|' || line[i + 1] === '\\')) {
      cell += line[i + 1] === '|' ? '|' : '\\\\';
      i++;
    } else if (c === '|') {
      cells.push(cell);
      cell = '';
      endsWithPipe = true;
    } else cell += c;
  }
  cells.push(cell);
  const leading = line.startsWith('|');
  if (leading) cells.shift();
  // A closing pipe, unless it is the opening one too (a row of just `|` is one empty cell).
  if (endsWithPipe && !(leading && cells.length === 1)) cells.pop();
  return cells;
}

/**
 * markdown-it's table rule, brought to GFM: a line that opens another block (a list item, a quote,
 * a heading, a fence, HTML) is that block, not a table header; and body rows keep the cells
 * written, as mdast does, where markdown-it pads or cuts them to the header's width.
 */
function gfmTable(table: BlockRule, md: Parser): BlockRule {
  let others: BlockRule[] | undefined;
  const rule: BlockRule = (state, startLine, endLine, silent) => {
    if (!table(state, startLine, endLine, true)) return false;
    others ??= md.block.ruler.getRules('paragraph').filter((r) => r !== rule);
    // Right after a paragraph the line was that paragraph's (the table took it): only what may
    // interrupt a paragraph goes first.
    const afterParagraph = state.tokens.at(-1)?.type === 'paragraph_close' && state.tokens.at(-3)?.map?.[1] === startLine;
    const parentType = state.parentType;
    if (afterParagraph) state.parentType = 'paragraph';
    const other = others.some((r) => r(state, startLine, endLine, true));
    state.parentType = parentType;
    if (other) return false;
    if (silent) return true;
    const from = state.tokens.length;
    table(state, startLine, endLine, false);
    const out: Token[] = [];
    let body = false;
    for (let i = from; i < state.tokens.length; i++) {
      const token = state.tokens[i]!;
      out.push(token);
      if (token.type === 'tbody_open') body = true;
      if (!body || token.type !== 'tr_open' || !token.map) continue;
      const line = token.map[0];
      for (const text of rowCells(state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]).trim())) {
        const open = new state.Token('td_open', 'td', 1);
        const inline = new state.Token('inline', '', 0);
        inline.content = text.trim();
        inline.children = [];
        inline.map = token.map;
        const close = new state.Token('td_close', 'td', -1);
        open.level = close.level = token.level + 1;
        inline.level = token.level + 2;
        out.push(open, inline, close);
      }
      while (state.tokens[i + 1]!.type !== 'tr_close') i++;
    }
    // Not splice(...out): a long table would overflow the stack with arguments.
    state.tokens.length = from;
    for (const token of out) state.tokens.push(token);
    return true;
  };
  return rule;
}

const TILDE = 0x7e;

/**
 * GFM (micromark) lets a `~` next to `*` or `_` count as a flank, so `**a*~b**` is strong there and
 * nested emphasis in CommonMark: the delimiters of such runs get micromark's open/close.
 */
function gfmEmphasis(emphasis: InlineRule): InlineRule {
  return (state, silent) => {
    const start = state.pos;
    const from = state.delimiters.length;
    if (!emphasis(state, silent)) return false;
    const prev = start > 0 ? state.src.charCodeAt(start - 1) : 0x20;
    const next = state.pos < state.posMax ? state.src.charCodeAt(state.pos) : 0x20;
    if (prev !== TILDE && next !== TILDE) return true;
    const { isWhiteSpace, isPunctChar, isMdAsciiPunct } = state.md.utils;
    const kind = (c: number) => isWhiteSpace(c) || isMdAsciiPunct(c) || isPunctChar(String.fromCharCode(c));
    const flanks = state.scanDelims(start, true);
    const open = flanks.can_open || next === TILDE;
    const close = flanks.can_close || prev === TILDE;
    const star = state.src.charCodeAt(start) === 0x2a;
    for (const d of state.delimiters.slice(from)) {
      d.open = star ? open : open && (kind(prev) || !close);
      d.close = star ? close : close && (kind(next) || !open);
    }
    return true;
  };
}

/** mdast keeps the line endings of a code span, where markdown-it turns them into spaces. */
function gfmCodeSpan(backtick: InlineRule): InlineRule {
  return (state, silent) => {
    const start = state.pos;
    const count = state.tokens.length;
    if (!backtick(state, silent)) return false;
    const token = state.tokens.at(-1);
    if (state.tokens.length === count || token?.type !== 'code_inline') return true;
    const raw = state.src.slice(start + token.markup.length, state.pos - token.markup.length);
    const padded = /^[ \n]/.test(raw) && /[ \n]$/.test(raw) && /[^ \n]/.test(raw);
    token.content = padded ? raw.slice(1, -1) : raw;
    return true;
  };
}

/** Inline HTML over several lines: mdast leaves out the indent of the lines after the first. */
function gfmInlineHtml(html: InlineRule): InlineRule {
  return (state, silent) => {
    const count = state.tokens.length;
    if (!html(state, silent)) return false;
    const token = state.tokens.at(-1);
    if (state.tokens.length > count && token?.type === 'html_inline') token.content = token.content.replace(/\n[ \t]*/g, '\n');
    return true;
  };
}

const STAR = 0x2a;
const UNDERSCORE = 0x5f;

type Pass = 'emphasis' | 'strike';

/** A run of `*`, `_` or tildes: delimiters lo..hi are its characters not yet paired. */
interface Run {
  pass: Pass;
  marker: number;
  open: boolean;
  close: boolean;
  lo: number;
  hi: number;
  /** Inside a pair already resolved, or left over: text. */
  dead: boolean;
}

function runsOf(delimiters: readonly Delimiter[]): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < delimiters.length; i++) {
    const d = delimiters[i]!;
    const pass: Pass = d.marker === STAR || d.marker === UNDERSCORE ? 'emphasis' : 'strike';
    const last = runs.at(-1);
    // markdown-it gives each `*` of a run a delimiter of its own (a tilde run has one).
    if (pass === 'emphasis' && last?.marker === d.marker && last.hi === i - 1 && delimiters[i - 1]!.token === d.token - 1) last.hi = i;
    else runs.push({ pass, marker: d.marker, open: d.open, close: d.close, lo: i, hi: i, dead: false });
  }
  return runs;
}

/**
 * Pairs delimiters as micromark does, in `order`. Two things differ from markdown-it: the rule "the
 * lengths must not add up to a multiple of 3" counts what is left of each run, not the runs as
 * written (so `**a*b-*c**` nests otherwise); and a pair's inside is resolved on its own, so
 * emphasis and strikethrough never cross.
 */
function resolveRange(delimiters: Delimiter[], runs: Run[], from: number, to: number, order: readonly Pass[]): void {
  for (const pass of order) {
    for (let r = from; r < to; r++) {
      const closer = runs[r]!;
      if (closer.pass !== pass) continue;
      while (closer.close && !closer.dead && closer.lo <= closer.hi) {
        let o = r - 1;
        for (; o >= from; o--) {
          const opener = runs[o]!;
          if (opener.dead || !opener.open || opener.marker !== closer.marker || opener.lo > opener.hi) continue;
          const size = closer.hi - closer.lo + 1;
          if (pass === 'emphasis' && (opener.close || closer.open) && size % 3 !== 0 && (opener.hi - opener.lo + 1 + size) % 3 === 0) continue;
          const use = pass === 'emphasis' && opener.hi > opener.lo && size > 1 ? 2 : 1;
          for (let u = 0; u < use; u++) delimiters[opener.hi - u]!.end = closer.lo + u;
          opener.hi -= use;
          closer.lo += use;
          break;
        }
        if (o < from) break;
        resolveRange(delimiters, runs, o + 1, r, ['emphasis', 'strike']);
        for (let k = o + 1; k < r; k++) runs[k]!.dead = true;
      }
    }
  }
}

/**
 * Replaces markdown-it's pairing. micromark resolves emphasis and strikethrough one after the
 * other, in the order the paragraph first uses them; a link's text on its own, emphasis first.
 */
function gfmPairs(state: StateInline): void {
  const top = state.delimiters;
  const nested = state.tokens_meta.length ? state.tokens_meta.flatMap((m) => (m?.delimiters?.length ? [m.delimiters] : [])) : [];
  if (!top.length && !nested.length) return;
  const first = [top, ...nested].map((l) => l[0]).filter((d) => d !== undefined).sort((a, b) => a.token - b.token)[0];
  const order: Pass[] = first && first.marker !== STAR && first.marker !== UNDERSCORE ? ['strike', 'emphasis'] : ['emphasis', 'strike'];
  for (const list of [top, ...nested]) {
    const runs = runsOf(list);
    resolveRange(list, runs, 0, runs.length, list === top ? order : ['emphasis', 'strike']);
  }
}

/** GFM leaves out all whitespace before a line ending; markdown-it only spaces, not tabs. */
function gfmNewline(newline: InlineRule): InlineRule {
  return (state, silent) => {
    if (state.src.charCodeAt(state.pos) === 0x0a) {
      const tail = /[ \t]+$/.exec(state.pending);
      // Whitespace with a tab in it is never a hard break.
      if (tail?.[0].includes('\t')) state.pending = state.pending.slice(0, tail.index);
    }
    return newline(state, silent);
  };
}

/** The delimiter marker of a `~~` run: runs only close runs of their own length. */
const DOUBLE_TILDE = 0x10000 + TILDE;

/** GFM strikethrough as micromark reads it: `~x~` or `~~x~~`; three or more tildes are text. */
const strikethrough: InlineRule = (state, silent) => {
  if (silent || state.src.charCodeAt(state.pos) !== TILDE) return false;
  const scanned = state.scanDelims(state.pos, true);
  const token = state.push('text', '', 0);
  token.content = '~'.repeat(scanned.length);
  if (scanned.length <= 2) {
    state.delimiters.push({ marker: scanned.length === 1 ? TILDE : DOUBLE_TILDE, length: 0, token: state.tokens.length - 1, end: -1, open: scanned.can_open, close: scanned.can_close });
  }
  state.pos += scanned.length;
  return true;
};

function strikethroughPairs(state: StateInline): void {
  if (!state.delimiters.length && !state.tokens_meta.length) return;
  for (const delimiters of [state.delimiters, ...state.tokens_meta.map((m) => m?.delimiters)]) {
    for (const opener of delimiters ?? []) {
      if ((opener.marker !== TILDE && opener.marker !== DOUBLE_TILDE) || opener.end < 0) continue;
      const open = state.tokens[opener.token]!;
      const close = state.tokens[delimiters![opener.end]!.token]!;
      open.type = 's_open';
      open.nesting = 1;
      close.type = 's_close';
      close.nesting = -1;
      open.content = close.content = '';
    }
  }
}

function parser(): Parser {
  // CommonMark plus the GFM tables and strikethrough; HTML kept as written. No linkify or
  // typographer: they rewrite text the importer reads.
  const md = new MarkdownIt('commonmark', { html: true, linkify: false, typographer: false, maxNesting: MAX_TOKEN_NESTING });
  md.block.ruler.at('table', gfmTable(ruleOf(md.block.ruler, 'table'), md), { alt: ['paragraph', 'reference'] });
  md.enable('table');
  md.inline.ruler.at('strikethrough', strikethrough);
  md.inline.ruler2.at('strikethrough', strikethroughPairs);
  md.enable('strikethrough');
  md.inline.ruler.at('newline', gfmNewline(ruleOf(md.inline.ruler, 'newline')));
  md.inline.ruler.at('emphasis', gfmEmphasis(ruleOf(md.inline.ruler, 'emphasis')));
  md.inline.ruler2.at('balance_pairs', gfmPairs);
  md.inline.ruler.at('backticks', gfmCodeSpan(ruleOf(md.inline.ruler, 'backticks')));
  md.inline.ruler.at('html_inline', gfmInlineHtml(ruleOf(md.inline.ruler, 'html_inline')));
  // Definitions stay in the tree, as in mdast.
  md.core.ruler.disable('strip_references');
  md.core.ruler.after('block', 'gfm_task_list', taskListItems);
  // URLs as written: the importer reads them as text, and a `javascript:` link is still a link in CommonMark.
  md.normalizeLink = (url) => url;
  md.normalizeLinkText = (url) => url;
  md.validateLink = () => true;
  return md;
}

let md: Parser | undefined;

/** 1-based first and last line of a block token; columns are not tracked (the importer reads lines). */
function position(token: Token): Root['position'] {
  if (!token.map) return undefined;
  return { start: { line: token.map[0] + 1, column: 1 }, end: { line: Math.max(token.map[1], token.map[0] + 1), column: 1 } };
}

type Align = 'left' | 'right' | 'center' | null;

/** A column's alignment, from the `style` markdown-it gives its header cell. */
function align(token: Token): Align {
  const style = token.attrGet('style');
  return typeof style === 'string' ? (style.slice('text-align:'.length) as Align) : null;
}

/** Plain text of inline tokens, for an image's alt (mdast-util-to-string of the label). */
function plain(tokens: readonly Token[]): string {
  let out = '';
  for (const t of tokens) {
    if (t.type === 'softbreak' || t.type === 'hardbreak') out += '\n';
    else if (t.type === 'image') out += plain(t.children ?? []);
    else out += t.content;
  }
  return out;
}

/** Appends text, merged with a text node just before it (mdast has no adjacent text nodes). */
function addText(parent: Parents, value: string): void {
  const last = parent.children.at(-1);
  if (last?.type === 'text') last.value += value;
  else (parent.children as PhrasingContent[]).push({ type: 'text', value });
}

function inline(tokens: readonly Token[], into: Parents): void {
  const stack: Parents[] = [into];
  for (const t of tokens) {
    const parent = stack.at(-1)!;
    const kids = parent.children as PhrasingContent[];
    switch (t.type) {
      case 'text':
        if (t.content) addText(parent, t.content);
        break;
      case 'softbreak':
        addText(parent, '\n');
        break;
      case 'hardbreak':
        kids.push({ type: 'break' });
        break;
      case 'code_inline':
        kids.push({ type: 'inlineCode', value: t.content });
        break;
      case 'html_inline':
        kids.push({ type: 'html', value: t.content });
        break;
      case 'image':
        kids.push({ type: 'image', url: String(t.attrGet('src') ?? ''), title: (t.attrGet('title') as string | null) ?? null, alt: plain(t.children ?? []) });
        break;
      case 'link_open': {
        const node: Link = { type: 'link', url: String(t.attrGet('href') ?? ''), title: (t.attrGet('title') as string | null) ?? null, children: [] };
        kids.push(node);
        stack.push(node);
        break;
      }
      case 'strong_open':
      case 'em_open':
      case 's_open': {
        const node: Strong | Emphasis | Delete = { type: t.type === 'strong_open' ? 'strong' : t.type === 'em_open' ? 'emphasis' : 'delete', children: [] };
        kids.push(node);
        stack.push(node);
        break;
      }
      default:
        if (t.nesting === -1 && stack.length > 1) stack.pop();
        else if (t.content) addText(parent, t.content);
    }
  }
}

/** CommonMark's HTML blocks that end at a marker rather than a blank line: start, end. */
const HTML_UNTIL: Array<[RegExp, RegExp]> = [
  [/^<(script|pre|style|textarea)(?=[\s>]|$)/i, /<\/(script|pre|style|textarea)>/i],
  [/^<!--/, /-->/],
  [/^<\?/, /\?>/],
  [/^<![A-Z]/, />/],
  [/^<!\[CDATA\[/, /\]\]>/],
];

/** The value of a code or HTML block: mdast leaves out the final line ending. */
const chomp = (text: string) => (text.endsWith('\n') ? text.slice(0, -1) : text);

function block(token: Token, doc: { lines: number; itemStarts: Set<number> }): Nodes | undefined {
  const position_ = position(token);
  switch (token.type) {
    case 'heading_open':
      return { type: 'heading', depth: Number(token.tag.slice(1)) as 1 | 2 | 3 | 4 | 5 | 6, children: [], position: position_ };
    case 'paragraph_open':
      return { type: 'paragraph', children: [], position: position_ };
    case 'blockquote_open':
      return { type: 'blockquote', children: [], position: position_ };
    case 'bullet_list_open':
      return { type: 'list', ordered: false, start: null, children: [], position: position_ };
    case 'ordered_list_open':
      return { type: 'list', ordered: true, start: Number(token.attrGet('start') ?? 1), children: [], position: position_ };
    case 'list_item_open': {
      const checked = token.meta?.checked;
      return { type: 'listItem', checked: typeof checked === 'boolean' ? checked : null, children: [], position: position_ };
    }
    case 'table_open':
      return { type: 'table', align: [], children: [], position: position_ };
    case 'tr_open':
      return { type: 'tableRow', children: [], position: position_ };
    case 'th_open':
    case 'td_open':
      return { type: 'tableCell', children: [], position: position_ };
    case 'fence': {
      const info = token.info.trim();
      const space = info.search(/\s/);
      const lang = space < 0 ? info : info.slice(0, space);
      const meta = space < 0 ? '' : info.slice(space).trim();
      let value = chomp(token.content);
      // A fence left open that ends with its container (a list, a quote) before the end of the
      // document: micromark leaves the last line ending out too, unless a list item follows.
      let contentLines = 0;
      for (let i = token.content.indexOf('\n'); i >= 0; i = token.content.indexOf('\n', i + 1)) contentLines++;
      const closed = token.map !== null && token.map[1] - token.map[0] - 1 > contentLines;
      if (!closed && token.map !== null && token.map[1] < doc.lines && !doc.itemStarts.has(token.map[1])) value = chomp(value);
      return { type: 'code', lang: lang || null, meta: meta || null, value, position: position_ };
    }
    case 'code_block':
      return { type: 'code', lang: null, meta: null, value: chomp(token.content), position: position_ };
    case 'html_block': {
      // HTML that runs to an end marker (a comment, <script>, ...) but has none keeps its last line
      // ending in micromark when the document ends or a list item follows.
      const open = HTML_UNTIL.findIndex(([start]) => start.test(token.content.trimStart()));
      const last = chomp(token.content).split('\n').at(-1)!;
      const unclosed = open >= 0 && !HTML_UNTIL[open]![1].test(last) && token.map !== null && (token.map[1] >= doc.lines || doc.itemStarts.has(token.map[1]));
      return { type: 'html', value: unclosed ? token.content : chomp(token.content), position: position_ };
    }
    case 'hr':
      return { type: 'thematicBreak', position: position_ };
    case 'reference_definition': {
      const label = String(token.meta?.label ?? '');
      return { type: 'definition', identifier: label.toLowerCase(), label, url: '', title: null, position: position_ };
    }
    default:
      return undefined;
  }
}

/** Parses Markdown (CommonMark, GFM tables, task list items and strikethrough) into mdast. */
export function markdownToMdast(text: string): { tree: Root; tooDeep?: number } {
  md ??= parser();
  const tokens = md.parse(text, {});
  let lines = text.length && !text.endsWith('\n') ? 1 : 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const itemStarts = new Set<number>();
  for (const t of tokens) if (t.type === 'list_item_open' && t.map) itemStarts.add(t.map[0]);
  const doc = { lines, itemStarts };
  const root: Root = { type: 'root', children: [], position: { start: { line: 1, column: 1 }, end: { line: Math.max(1, doc.lines), column: 1 } } };
  const stack: Parents[] = [root];
  // Tokens that open no mdast node (thead, tbody) still close: their closes are skipped by depth.
  const opened: boolean[] = [];
  let tooDeep: number | undefined;
  for (const token of tokens) {
    const parent = stack.at(-1)!;
    if (token.nesting === 1 && token.level >= MAX_TOKEN_NESTING - 1 && tooDeep === undefined) tooDeep = (token.map?.[0] ?? 0) + 1;
    if (token.type === 'inline') {
      inline(token.children ?? [], parent);
      continue;
    }
    if (token.nesting === -1) {
      if (opened.pop()) stack.pop();
      continue;
    }
    const node = block(token, doc);
    if (node) (parent.children as Nodes[]).push(node);
    if (token.nesting === 1) {
      opened.push(node !== undefined);
      if (node) stack.push(node as Parents);
    }
    if (node?.type === 'tableCell' && parent.type === 'tableRow') {
      // Cells have no map of their own: a cell is on its row's line.
      node.position = parent.position;
      const table = stack.at(-3);
      if (table?.type === 'table' && table.children.length === 1) (table.align ??= []).push(align(token));
    }
  }
  return { tree: root, tooDeep };
}
