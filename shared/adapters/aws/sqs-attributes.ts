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

/** Plain strings as SendMessage `MessageAttributes`, folded to fit SQS's limit. */
export function toSqsAttributes(attributes: Record<string, string>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(foldAttributes(attributes)).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
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
