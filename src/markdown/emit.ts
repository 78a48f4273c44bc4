// Runbook data → YAML text through the yaml Document API: comments where a reviewer needs them,
// multi-line text as literal blocks, short lists inline.
import { Document, isMap, isScalar, isSeq, Scalar, visit } from 'yaml';
import type { YamlComment } from './build.js';

/** Serializes a runbook; `header` opens the file as a comment. */
export function emitYaml(data: Record<string, unknown>, header: string, comments: readonly YamlComment[]): string {
  const doc = new Document(data);
  doc.commentBefore = header;
  for (const comment of comments) {
    const node: unknown = doc.getIn(comment.path, true);
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) continue;
    if (comment.inline) node.comment = comment.text;
    else node.commentBefore = comment.text;
  }
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
    },
    Seq(_, node) {
      const short = node.items.every((item) => isScalar(item) && String(item.value).length < 40);
      if (short && node.items.length <= 6) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
