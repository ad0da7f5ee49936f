/** ListDocuments filters and the NextToken paging shared by the list operations. */
import { invalidFilterKey, invalidNextToken } from "./errors";
import { PLATFORM_TYPES } from "./shapes";
import type { StoredDocument } from "./store";

interface KeyValuesFilter {
  Key: string;
  Values?: string[] | undefined;
}

/**
 * All filters must match; within a filter any value may. `Name` matches by prefix (as the API reference
 * describes), `tag:<key>` with no values matches any document carrying the key.
 */
export function documentFilter(
  filters: KeyValuesFilter[],
  accountId: string,
): (doc: StoredDocument) => boolean {
  const tests = filters.map((f) => filterTest(f, accountId));
  return (doc) => tests.every((test) => test(doc));
}

function filterTest({ Key: key, Values: values = [] }: KeyValuesFilter, accountId: string) {
  const any = (pred: (value: string) => boolean) => values.some(pred);
  if (key.startsWith("tag:") && key.length > 4) {
    const tagKey = key.slice(4);
    return (doc: StoredDocument) =>
      doc.tags.has(tagKey) && (values.length === 0 || values.includes(doc.tags.get(tagKey)!));
  }
  switch (key) {
    case "Name":
      return (doc: StoredDocument) => any((v) => doc.name.startsWith(v));
    case "DocumentType":
      return (doc: StoredDocument) => any((v) => doc.type === v);
    case "PlatformTypes":
      return () => any((v) => PLATFORM_TYPES.includes(v));
    case "TargetType":
      return (doc: StoredDocument) => any((v) => defaultVersionOf(doc).targetType === v);
    case "Owner":
      return (doc: StoredDocument) => any((v) => ownerMatches(v, doc.owner, accountId));
    default:
      throw invalidFilterKey(key);
  }
}

function ownerMatches(value: string, owner: string, accountId: string): boolean {
  switch (value) {
    case "Self":
    case "Private":
      return owner === accountId;
    case "All":
      return true;
    case "Public":
    case "ThirdParty":
      return false;
    default:
      // `Amazon`, or an account id.
      return owner === value;
  }
}

function defaultVersionOf(doc: StoredDocument) {
  return doc.versions.get(doc.defaultVersion)!;
}

/**
 * One page of `items` (sorted ascending by `keyOf`). The token carries the last key served, so a page
 * boundary survives documents being added or deleted between calls.
 */
export function page<T>(
  items: readonly T[],
  keyOf: (item: T) => string | number,
  maxResults: number,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const after = decodeToken(nextToken);
    start = items.findIndex((item) => {
      const key = keyOf(item);
      if (typeof key !== typeof after) throw invalidNextToken();
      return key > after;
    });
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + maxResults);
  const more = start + maxResults < items.length;
  return more ? { items: slice, nextToken: encodeToken(keyOf(slice[slice.length - 1]!)) } : { items: slice };
}

function encodeToken(key: string | number): string {
  return Buffer.from(JSON.stringify({ after: key })).toString("base64url");
}

function decodeToken(token: string): string | number {
  try {
    const after = (JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown }).after;
    if (typeof after === "string" || typeof after === "number") return after;
  } catch {
    // fall through
  }
  throw invalidNextToken();
}
