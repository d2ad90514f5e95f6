/**
 * SQS message attributes, written and read in one place: every value is a String attribute, and SQS's limit
 * of 10 attributes per message is kept by folding what does not fit into one JSON attribute (unfolded on read).
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

/** SQS allows 10 message attributes; what does not fit is folded into one JSON attribute. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
export const FOLDED_ATTRIBUTE = 'folded';

export function foldAttributes(attributes: Record<string, string>): Record<string, string> {
  const entries = Object.entries(attributes);
  if (entries.length <= MAX_MESSAGE_ATTRIBUTES) return { ...attributes };
  const kept = Object.fromEntries(entries.slice(0, MAX_MESSAGE_ATTRIBUTES - 1));
  return {
    ...kept,
    [FOLDED_ATTRIBUTE]: JSON.stringify(Object.fromEntries(entries.slice(MAX_MESSAGE_ATTRIBUTES - 1))),
  };
}

export function unfoldAttributes(attributes: Record<string, string>): Record<string, string> {
  const { [FOLDED_ATTRIBUTE]: folded, ...rest } = attributes;
  if (!folded) return rest;
  try {
    return { ...rest, ...(JSON.parse(folded) as Record<string, string>) };
  } catch {
    return attributes;
  }
}

/** SQS's largest message (body and attributes together), in bytes: the queues keep its default. */
export const SQS_MAX_MESSAGE_BYTES = 262_144;

/** Characters SQS refuses in a message (its documented allowed set is #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD and above). */
const REFUSED_BY_SQS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * An attribute value SQS takes: refused characters (control characters, lone surrogates, U+FFFE/U+FFFF)
 * become U+FFFD; an empty value, which SQS refuses, is undefined. Length is left alone (a folded value is JSON
 * that must come back whole): the ingress answers 413 to an event whose message would be over SQS's size.
 */
export function sqsAttributeValue(value: string): string | undefined {
  const clean = value.replace(REFUSED_BY_SQS, '\uFFFD');
  return clean === '' ? undefined : clean;
}

/**
 * A JSON text as an SQS message body: SQS refuses U+FFFE, U+FFFF (and control characters and lone surrogates)
 * that JSON allows inside a string, so those become `\uXXXX` escapes, which parse back to the same value.
 * Only for valid JSON: outside a string, an escape would change the text's meaning.
 */
export function sqsJsonBody(json: string): string {
  return json.replace(REFUSED_BY_SQS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The size SQS counts for a message: its body and each attribute's name, type and value, in bytes. */
export function sqsMessageBytes(body: string, attributes: Record<string, string>): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(toSqsAttributes(attributes)))
    bytes +=
      Buffer.byteLength(name) + Buffer.byteLength(value.DataType!) + Buffer.byteLength(value.StringValue!);
  return bytes;
}

/**
 * Plain strings as SendMessage `MessageAttributes` with values SQS takes, then folded to fit SQS's limit (each
 * value is made safe before folding, so the folded JSON is never cut).
 */
export function toSqsAttributes(attributes: Record<string, string>): Record<string, MessageAttributeValue> {
  const safe = Object.entries(attributes).flatMap(([k, v]) => {
    const value = sqsAttributeValue(v);
    return value === undefined ? [] : [[k, value] as const];
  });
  return Object.fromEntries(
    Object.entries(foldAttributes(Object.fromEntries(safe))).map(([k, v]) => [
      k,
      { DataType: 'String', StringValue: v },
    ]),
  );
}

/**
 * The string attributes of a received message, unfolded. Takes both shapes: ReceiveMessage's
 * (`StringValue`) and the Lambda SQS event's (`stringValue`).
 */
export function fromSqsAttributes(
  attributes: Record<string, { StringValue?: string; stringValue?: string }> | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    const text = value.StringValue ?? value.stringValue;
    if (text !== undefined) values[name] = text;
  }
  return unfoldAttributes(values);
}
