export async function exportCmd(_run: string, _o: unknown): Promise<number> { return 2; }
