// Search attributes a run keeps current, so the UI's list can be filtered ("drills of
// database-loss that breached RTO"). This is their one definition: the local servers register them
// from here (scripts/lib/search-attributes.ts), and a test holds deploy/temporal/temporal.env to it.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const runbookKey = defineSearchAttributeKey('DrRunbook', SearchAttributeType.KEYWORD);
export const modeKey = defineSearchAttributeKey('DrMode', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('DrStatus', SearchAttributeType.KEYWORD);
export const rtoStatusKey = defineSearchAttributeKey('DrRtoStatus', SearchAttributeType.KEYWORD);
export const rtoDeadlineKey = defineSearchAttributeKey('DrRtoDeadline', SearchAttributeType.DATETIME);

/** Every key with its type, as the server must have them registered. */
export const SEARCH_ATTRIBUTE_KEYS = [runbookKey, modeKey, statusKey, rtoStatusKey, rtoDeadlineKey];
