// Placeholder until this workflow lands (see its open issue): fails loudly instead of pretending to work.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented yet');
};
