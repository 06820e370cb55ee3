import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../errors/catalogue.ts';
import { splitBatch } from './batch.ts';

const msg = (id: string, nl = '\r'): string =>
  [`MSH|^~\\&|A|B|C|D|20240101||ADT^A01|${id}|P|2.5`, `PID|1||${id}`, ''].join(nl);

describe('splitBatch', () => {
  it('removes FHS/BHS/BTS/FTS and keeps each message exactly', () => {
    const input = `FHS|^~\\&|F\rBHS|^~\\&|B\r${msg('1')}${msg('2')}BTS|2\rFTS|1\r`;
    const out = splitBatch(Buffer.from(input));
    expect(out.fileHeader).toBe('FHS|^~\\&|F');
    expect(out.batchHeader).toBe('BHS|^~\\&|B');
    expect(out.messages.map((b) => b.toString())).toEqual([msg('1'), msg('2')]);
  });

  it('returns slices of the input buffer, bytes untouched (Latin-1 included)', () => {
    const latin = Buffer.from(`${msg('1')}${msg('2').replace('PID|1||2', 'PID|1||2||M\xfcller')}`, 'latin1');
    const out = splitBatch(latin);
    expect(out.messages).toHaveLength(2);
    expect(out.messages[0]?.buffer).toBe(latin.buffer);
    expect(Buffer.concat(out.messages).equals(latin)).toBe(true);
  });

  it('splits plain concatenated messages with any terminators, blank lines and a BOM', () => {
    const input = `\uFEFF${msg('1', '\n')}\n\n${msg('2', '\r\n')}${msg('3')}`;
    const out = splitBatch(input);
    expect(out.fileHeader).toBeNull();
    expect(out.batchHeader).toBeNull();
    expect(out.messages.map((b) => b.toString())).toEqual([
      `${msg('1', '\n')}\n\n`,
      msg('2', '\r\n'),
      msg('3'),
    ]);
  });

  it('handles several batches in one file (the first BHS is reported)', () => {
    const input = `FHS|^~\\&\rBHS|^~\\&|1\r${msg('1')}BTS|1\rBHS|^~\\&|2\r${msg('2')}BTS|1\rFTS|2`;
    const out = splitBatch(input);
    expect(out.batchHeader).toBe('BHS|^~\\&|1');
    expect(out.messages).toHaveLength(2);
  });

  it('does not split at MSH inside a segment or at MSH-like ids', () => {
    const input = `${msg('1')}NTE|1||see MSH|x\rMSHX|not a header\r`;
    expect(splitBatch(input).messages).toHaveLength(1);
  });

  it('returns no messages for an empty or header-only file', () => {
    expect(splitBatch('').messages).toEqual([]);
    expect(splitBatch('FHS|^~\\&\rFTS|0\r').messages).toEqual([]);
  });

  it('rejects text outside any message instead of dropping it', () => {
    const bad = [`PID|1||orphan\r${msg('1')}`, `BHS|^~\\&\r${msg('1')}BTS|1\rPID|1||orphan\r`];
    for (const input of bad) {
      let error: unknown;
      try {
        splitBatch(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SwitchboardError);
      expect((error as SwitchboardError).message).toMatch(/outside any message.*'PID\|1\|\|orphan'/);
    }
  });
});
