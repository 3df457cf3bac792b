import * as assert from 'node:assert/strict';
import {
  DelimitedIndex,
  parseDelimited,
  renderCell,
  renderRecord,
  valueOffsetToSource,
  type DelimitedRecord,
} from '../../../src/shared/data/delimited';
import { resolveFormat, sniffFormat } from '../../../src/shared/data/format';

function values(record: DelimitedRecord): string[] {
  return record.fields.map((field) => field.value);
}

describe('parseDelimited', () => {
  it('splits plain comma-separated records', () => {
    const { records } = parseDelimited('label,review\n1,好吃\n0,难吃\n', ',');
    assert.deepEqual(records.map(values), [['label', 'review'], ['1', '好吃'], ['0', '难吃']]);
    assert.deepEqual(records.map((record) => record.line), [1, 2, 3]);
  });

  it('reads quoted delimiters and doubled quotes', () => {
    const { records } = parseDelimited('a,b\n"好吃,不贵","他说""还行"""\n', ',');
    assert.deepEqual(values(records[1]), ['好吃,不贵', '他说"还行"']);
    assert.deepEqual(records[1].fields.map((field) => field.quoted), [true, true]);
  });

  it('numbers rows after quoted line breaks', () => {
    const text = 'label,review\n1,"第一行\n第二行\r\n第三行"\n0,短评\n';
    const { records } = parseDelimited(text, ',');
    assert.equal(records[1].fields[1].value, '第一行\n第二行\r\n第三行');
    assert.equal(records[1].line, 2);
    assert.equal(records[1].endLine, 4);
    assert.equal(records[2].line, 5);
    assert.deepEqual(values(records[2]), ['0', '短评']);
  });

  it('accepts CRLF, LF and lone CR', () => {
    const { records } = parseDelimited('a,b\r\n1,x\n2,y\r3,z', ',');
    assert.deepEqual(records.map(values), [['a', 'b'], ['1', 'x'], ['2', 'y'], ['3', 'z']]);
    assert.deepEqual(records.map((record) => record.line), [1, 2, 3, 4]);
  });

  it('counts a lone CR inside quotes as a line', () => {
    const { records } = parseDelimited('a\r"x\ry"\rz', ',');
    assert.deepEqual(records.map((record) => [record.line, record.endLine]), [[1, 1], [2, 3], [4, 4]]);
  });

  it('skips a BOM before a quoted header', () => {
    const { records } = parseDelimited('\uFEFF"label","review"\n1,好\n', ',');
    assert.deepEqual(values(records[0]), ['label', 'review']);
    assert.equal(records[0].fields[0].quoted, true);
    assert.equal(records[0].start, 1);
  });

  it('handles a missing final line break', () => {
    const withBreak = parseDelimited('a,b\n1,2\n', ',').records;
    const withoutBreak = parseDelimited('a,b\n1,2', ',').records;
    assert.deepEqual(withBreak.map(values), withoutBreak.map(values));
    assert.equal(withoutBreak[1].endWithLineBreak, 7);
  });

  it('keeps a blank line as an empty record', () => {
    const { records } = parseDelimited('a,b\n\n1,2\n', ',');
    assert.deepEqual(records.map(values), [['a', 'b'], [''], ['1', '2']]);
    assert.equal(records[2].line, 3);
  });

  it('records field and record offsets', () => {
    const text = 'a,b\r\n1,"x,""y"""\r\n';
    const record = parseDelimited(text, ',').records[1];
    assert.equal(text.slice(record.start, record.end), '1,"x,""y"""');
    assert.equal(text.slice(record.end, record.endWithLineBreak), '\r\n');
    assert.equal(text.slice(record.fields[0].start, record.fields[0].end), '1');
    assert.equal(text.slice(record.fields[1].start, record.fields[1].end), '"x,""y"""');
  });

  it('gives an empty trailing cell an offset', () => {
    const text = 'a,b\n1,\n';
    const field = parseDelimited(text, ',').records[1].fields[1];
    assert.deepEqual(field, { value: '', start: 6, end: 6, quoted: false });
  });

  it('parses tab-separated records', () => {
    const { records } = parseDelimited('label\treview\n1\t"含\t制表符"\n', '\t');
    assert.deepEqual(values(records[1]), ['1', '含\t制表符']);
  });

  it('keeps a stray quote in an unquoted cell', () => {
    const { records } = parseDelimited('a,b\n1,5"的杯子\n', ',');
    assert.deepEqual(values(records[1]), ['1', '5"的杯子']);
  });

  it('appends text after a closing quote', () => {
    const { records } = parseDelimited('a,b\n1,"引用"后文\n', ',');
    assert.deepEqual(values(records[1]), ['1', '引用后文']);
  });

  it('reports an unterminated quote', () => {
    const result = parseDelimited('a,b\n1,ok\n2,"never closed\n3,x\n', ',');
    assert.equal(result.unterminatedQuoteLine, 3);
    assert.equal(result.records.length, 3);
  });
});

describe('DelimitedIndex', () => {
  // Every 7th review spans two lines; the file has CRLF line breaks.
  const rows = Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? `1,"第${i}条\r\n续行"` : `0,第${i}条`));
  const text = ['label,review', ...rows].join('\r\n') + '\r\n';
  const index = new DelimitedIndex(text, ',');
  const full = parseDelimited(text, ',').records;

  it('counts the same records as a full parse', () => {
    assert.equal(index.recordCount, full.length);
  });

  it('parses records on a line range', () => {
    const records = index.recordsInLines(1000, 1010);
    const expected = full.filter((record) => record.endLine >= 1000 && record.line <= 1010);
    assert.deepEqual(records, expected);
  });

  it('includes a record starting above the range', () => {
    const multiLine = full.find((record) => record.endLine > record.line && record.line > 500)!;
    const records = index.recordsInLines(multiLine.endLine, multiLine.endLine);
    assert.deepEqual(records, [multiLine]);
  });

  it('maps a line to its record', () => {
    const multiLine = full[8];
    assert.equal(multiLine.endLine, multiLine.line + 1);
    assert.equal(index.recordIndexAtLine(multiLine.line), 8);
    assert.equal(index.recordIndexAtLine(multiLine.endLine), 8);
    assert.equal(index.recordIndexAtLine(multiLine.endLine + 1), 9);
  });

  it('returns -1 past the last record', () => {
    const lastLine = full[full.length - 1].endLine;
    assert.equal(index.recordIndexAtLine(lastLine + 1), -1);
    assert.deepEqual(index.recordsInLines(lastLine + 1, lastLine + 5), []);
  });

  it('indexes 100,000 rows', () => {
    const large = ['label,review', ...Array.from({ length: 100_000 }, (_, i) => `${i % 3},"评论 ${i}"`)].join('\n');
    const largeIndex = new DelimitedIndex(large, ',');
    assert.equal(largeIndex.recordCount, 100_001);
    const records = largeIndex.recordsInLines(99_990, 99_991);
    assert.deepEqual(records.map(values), [['1', '评论 99988'], ['2', '评论 99989']]);
  });
});

describe('renderCell', () => {
  it('leaves a plain value unquoted', () => {
    assert.equal(renderCell('好评', ','), '好评');
  });

  it('quotes a value containing the delimiter', () => {
    assert.equal(renderCell('好,评', ','), '"好,评"');
    assert.equal(renderCell('好,评', '\t'), '好,评');
    assert.equal(renderCell('好\t评', '\t'), '"好\t评"');
  });

  it('quotes and doubles a double quote', () => {
    assert.equal(renderCell('5"杯', ','), '"5""杯"');
  });

  it('quotes a line break', () => {
    assert.equal(renderCell('a\nb', ','), '"a\nb"');
    assert.equal(renderCell('a\rb', ','), '"a\rb"');
  });

  it('keeps existing quotes on request', () => {
    assert.equal(renderCell('差评', ',', true), '"差评"');
  });

  it('renders a record that parses back', () => {
    const cells = ['1', '好,吃', '说"好"', '多\n行'];
    const line = renderRecord(cells, ',');
    assert.deepEqual(values(parseDelimited(line, ',').records[0]), cells);
  });
});

describe('valueOffsetToSource', () => {
  it('maps offsets in an unquoted cell', () => {
    const text = 'a,b\n1,好吃@小王\n';
    const field = parseDelimited(text, ',').records[1].fields[1];
    assert.equal(text.slice(valueOffsetToSource(text, field, 2), valueOffsetToSource(text, field, 5)), '@小王');
  });

  it('maps offsets past doubled quotes', () => {
    const text = 'a,b\n1,"他说""好""@小王"\n';
    const field = parseDelimited(text, ',').records[1].fields[1];
    const start = field.value.indexOf('@');
    assert.equal(text.slice(valueOffsetToSource(text, field, start), valueOffsetToSource(text, field, field.value.length)), '@小王');
  });
});

describe('resolveFormat', () => {
  it('picks the format from the extension', () => {
    assert.deepEqual(resolveFormat('a.csv', 'auto'), { format: 'csv', delimiter: ',' });
    assert.deepEqual(resolveFormat('a.TSV', 'auto'), { format: 'tsv', delimiter: '\t' });
    assert.deepEqual(resolveFormat('a.jsonl', 'auto'), { format: 'jsonl' });
  });

  it('sniffs a .txt file', () => {
    assert.deepEqual(resolveFormat('a.txt', 'auto', 'label\treview\n1\t好,吃\n'), { format: 'tsv', delimiter: '\t' });
    assert.deepEqual(resolveFormat('a.txt', 'auto', 'label,review\n'), { format: 'csv', delimiter: ',' });
    assert.deepEqual(sniffFormat('\uFEFF\n{"text": "好"}\n'), { format: 'jsonl' });
  });

  it('lets an explicit format win', () => {
    assert.deepEqual(resolveFormat('a.csv', 'tsv'), { format: 'tsv', delimiter: '\t' });
  });
});
