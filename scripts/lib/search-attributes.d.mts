export type SearchAttributeTypeName = 'Keyword' | 'Datetime';
/** The engine's custom search attributes, name → type, as registered on the dev server. */
export declare const SEARCH_ATTRIBUTES: Readonly<Record<'DrRunbook' | 'DrMode' | 'DrStatus' | 'DrRtoStatus' | 'DrRtoDeadline', SearchAttributeTypeName>>;
export declare function searchAttributeArgs(attributes?: Readonly<Record<string, string>>): string[];
