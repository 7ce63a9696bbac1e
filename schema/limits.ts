// Limits named in the public contract (api.md) and the ones we chose where it is silent.
export const LIMITS = {
  messageText: 4096,
  bodyBytes: 256 * 1024,
  historyItems: 500,
  idLength: 200,
  nameLength: 200,
  reasonLength: 1000,
  summaryLength: 4096,
  noteLength: 4096,
  tags: 20,
  tagLength: 50,
  maxWaitSeconds: { min: 10, max: 86_400 },
  metadataBytes: 16 * 1024,
  metadataDepth: 8,
  /** Contact messages in one batched `POST /api/v1/messages`. */
  batchMessages: 100,
  /** Teams one agent may belong to, and members one team may have. */
  teamsPerAgent: 50,
  teamMembers: 500,
} as const;

export const MAX_WAIT_MINUTES = [5, 15, 30, 60, 120] as const;
