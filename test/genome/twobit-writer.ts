// Minimal UCSC .2bit encoder for tests (no tool to make one is installed): records, N blocks, soft-mask blocks.
const CODE: Record<string, number> = { T: 0, C: 1, A: 2, G: 3, N: 0 };

function blocks(seq: string, test: (c: string) => boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < seq.length;) {
    if (!test(seq[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < seq.length && test(seq[j])) j++;
    out.push([i, j - i]);
    i = j;
  }
  return out;
}

export function encodeTwoBit(records: Array<[string, string]>): Buffer {
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const bodies = records.map(([, seq]) => {
    const nb = blocks(seq, (c) => c === "N" || c === "n");
    const mb = blocks(seq, (c) => c !== c.toUpperCase());
    const packed = Buffer.alloc(Math.ceil(seq.length / 4));
    for (let i = 0; i < seq.length; i++) packed[i >> 2] |= CODE[seq[i].toUpperCase()] << (6 - 2 * (i & 3));
    return Buffer.concat([
      u32(seq.length),
      u32(nb.length),
      ...nb.map((b) => u32(b[0])),
      ...nb.map((b) => u32(b[1])),
      u32(mb.length),
      ...mb.map((b) => u32(b[0])),
      ...mb.map((b) => u32(b[1])),
      u32(0),
      packed,
    ]);
  });
  const indexSize = records.reduce((a, [name]) => a + 1 + name.length + 4, 0);
  let offset = 16 + indexSize;
  const index = records.map(([name], i) => {
    const e = Buffer.concat([Buffer.from([name.length]), Buffer.from(name, "latin1"), u32(offset)]);
    offset += bodies[i].length;
    return e;
  });
  return Buffer.concat([u32(0x1a412743), u32(0), u32(records.length), u32(0), ...index, ...bodies]);
}
