/**
 * What a request to the search server may be: the limits and the JSON schemas fastify validates
 * each route's body (and serialises its response) with.
 */

export interface ServerLimits {
  /** Largest accepted k (default 1000). */
  maxK: number;
  /** k when the request gives none (default 10). */
  defaultK: number;
  /** Longest query in characters (default 1000). */
  maxQueryChars: number;
  /** Largest request body in bytes (default 16 KiB). */
  bodyLimit: number;
  /** Most queries in one /search/batch request (default 64). */
  maxBatch: number;
  /** Snippet length in characters (default 240). */
  snippetChars: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxK: 1000,
  defaultK: 10,
  maxQueryChars: 1000,
  bodyLimit: 16 * 1024,
  maxBatch: 64,
  snippetChars: 240,
};

/**
 * The JSON schemas of the server's POST routes under `limits`, with `model` an enum of `names`.
 */
export function routeSchemas(limits: ServerLimits, names: readonly string[]) {
  const queryText = { type: "string", minLength: 1, maxLength: limits.maxQueryChars };
  const kSchema = { type: "integer", minimum: 1, maximum: limits.maxK };
  const modelSchema = { type: "string", enum: names };
  const hitSchema = {
    type: "object",
    properties: {
      rank: { type: "integer" },
      docno: { type: "string" },
      score: { type: "number" },
      title: { type: ["string", "null"] },
      snippet: { type: ["string", "null"] },
    },
  };
  return {
    search: {
      body: {
        type: "object",
        required: ["query"],
        additionalProperties: false,
        properties: { query: queryText, k: kSchema, model: modelSchema },
      },
      response: {
        200: {
          type: "object",
          properties: {
            model: { type: "string" },
            results: { type: "array", items: hitSchema },
            took_ms: { type: "number" },
          },
        },
      },
    },
    batch: {
      body: {
        type: "object",
        required: ["queries"],
        additionalProperties: false,
        properties: {
          queries: { type: "array", minItems: 1, maxItems: limits.maxBatch, items: queryText },
          k: kSchema,
          model: modelSchema,
        },
      },
      response: {
        200: {
          type: "object",
          properties: {
            model: { type: "string" },
            queries: {
              type: "array",
              items: {
                type: "object",
                properties: { query: { type: "string" }, results: { type: "array", items: hitSchema } },
              },
            },
            took_ms: { type: "number" },
          },
        },
      },
    },
    explain: {
      body: {
        type: "object",
        required: ["query", "docno"],
        additionalProperties: false,
        properties: {
          query: queryText,
          docno: { type: "string", minLength: 1, maxLength: 512 },
          model: modelSchema,
          plan: { type: "boolean" },
        },
      },
    },
  };
}
