import {
  foldAttributes,
  fromSqsAttributes,
  sqsAttributeValue,
  sqsMessageBytes,
  toSqsAttributes,
} from '../../../shared/adapters/aws/sqs-attributes';

// Found by the gateway fuzz suite: a sender's event type or id goes into an attribute, and SQS refuses an
// empty value, characters outside its allowed set, and a message (body and attributes) over 262,144 bytes.
describe('SQS attribute values', () => {
  it('leaves out an empty value, which SQS refuses', () => {
    expect(toSqsAttributes({ eventType: '', workflow: 'shift-overrides' })).toEqual({
      workflow: { DataType: 'String', StringValue: 'shift-overrides' },
    });
  });

  it('replaces characters SQS refuses and keeps the ones it takes', () => {
    expect(sqsAttributeValue('a\u0000b\u0007c\uFFFEd\uD800e')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
    expect(sqsAttributeValue('tab\there\nnew é 😀')).toBe('tab\there\nnew é 😀');
  });

  it('measures a message as SQS does: body and attribute names, types and values, in bytes', () => {
    expect(sqsMessageBytes('é', { eventType: 'ab' })).toBe(2 + 'eventType'.length + 'String'.length + 2);
  });
});

describe('SQS attributes folded past ten', () => {
  it('keeps a folded value over 1 KB whole (the processors fold before they send)', () => {
    const many = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`a${i}`, `${i}:${'x'.repeat(900)}`]),
    );
    const sent = toSqsAttributes(foldAttributes(many));
    expect(fromSqsAttributes(sent)).toEqual(many);
  });
});
