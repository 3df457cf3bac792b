import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDataset } from '../../../src/shared/data/read';
import { readWorkbook, sheetTable, tableToCsv } from '../../../src/extension/language/excel';
import { isUserInputError } from '../../../src/shared/errors';
import { buildXlsx } from './xlsxFixture';

const styled = { styleOnly: true } as const;

describe('Excel import', () => {
  const workbook = buildXlsx([
    { name: '说明', rows: { 1: ['这是说明页'] } },
    {
      name: '评论',
      rows: {
        2: ['编号', '评论', '标签'],
        3: [1, '珍珠奶茶很好喝', '好评'],
        4: [styled, styled, styled],
        6: [3, '太甜了,"齁"', '差评'],
        7: [4, null, null],
        8: [5, '第一行\n第二行', '中性'],
      },
    },
  ]);

  it('lists every sheet by name', async () => {
    const sheets = await readWorkbook(workbook);
    assert.deepEqual(sheets.map((sheet) => sheet.name), ['说明', '评论']);
  });

  it('keeps sheet row numbers and drops empty rows', async () => {
    const [, sheet] = await readWorkbook(workbook);
    const table = sheetTable(sheet);
    assert.equal(table.headerRow, 2);
    assert.deepEqual(table.columns, ['编号', '评论', '标签']);

    const conversion = tableToCsv(table, [1, 2]);
    assert.equal(conversion.rows, 3);
    assert.deepEqual(conversion.droppedRows, [4, 5, 7]);
    assert.equal(conversion.csv, '评论,标签,sheet_row\r\n珍珠奶茶很好喝,好评,3\r\n"太甜了,""齁""",差评,6\r\n"第一行\n第二行",中性,8\r\n');
  });

  it('CSV reads back through the data layer', async () => {
    const [, sheet] = await readWorkbook(workbook);
    const { csv } = tableToCsv(sheetTable(sheet), [1, 2]);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-excel-'));
    const file = path.join(folder, 'reviews.csv');
    fs.writeFileSync(file, csv);
    const dataset = parseDataset(fs.readFileSync(file), file, { file, format: 'auto', encoding: 'auto', textColumn: '评论', labelColumn: '标签' });
    assert.equal(dataset.encoding, 'utf-8');
    assert.deepEqual(dataset.examples.map((example) => example.text), ['珍珠奶茶很好喝', '太甜了,"齁"', '第一行\n第二行']);
    fs.rmSync(folder, { recursive: true });
  });

  it('formatting-only sheet is reported empty', async () => {
    const [sheet] = await readWorkbook(buildXlsx([{ name: '空', rows: { 1: [styled, styled], 2: [styled] } }]));
    assert.throws(() => sheetTable(sheet), (error: unknown) => isUserInputError(error) && /Sheet "空" is empty/.test((error as Error).message));
  });

  it('file that is not a workbook raises UserInputError', async () => {
    await assert.rejects(readWorkbook(Buffer.from('not a zip'), 'reviews.xls'), (error: unknown) => isUserInputError(error) && /reviews\.xls could not be read/.test((error as Error).message));
  });
});
