// Replaced by the local-runtime harness (issue 6).
export default async function globalSetup(): Promise<void> {}
