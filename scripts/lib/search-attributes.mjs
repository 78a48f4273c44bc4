// The custom search attributes the engine sets on every run, registered when the dev server starts
// (`--search-attribute NAME=TYPE`). The workflow code defines the same names and types; a test keeps
// the two in step.

/** @type {Readonly<Record<string, 'Keyword' | 'Datetime'>>} */
export const SEARCH_ATTRIBUTES = Object.freeze({
  DrRunbook: 'Keyword',
  DrMode: 'Keyword',
  DrStatus: 'Keyword',
  DrRtoStatus: 'Keyword',
  DrRtoDeadline: 'Datetime',
});

/** The `--search-attribute` arguments for `temporal server start-dev`. */
export function searchAttributeArgs(attributes = SEARCH_ATTRIBUTES) {
  return Object.entries(attributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}
