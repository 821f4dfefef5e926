import { describe, expect, it } from 'vitest';
import { parseQuery, QuerySyntaxError, runQuery } from '../../sim/quickbooks/query-language.js';

const rows = [
  { Id: '2', DocNumber: "O'Brien-1", TotalAmt: 10, CustomerRef: { value: '7' } },
  { Id: '10', DocNumber: 'INV-2', TotalAmt: 30, CustomerRef: { value: '8' } },
  { Id: '3', DocNumber: 'INV-1', TotalAmt: 20, CustomerRef: { value: '7' } },
];

describe('QBO query language', () => {
  it('parses select, where with =, LIKE, IN and escapes, order and paging', () => {
    const q = parseQuery(
      "SELECT * FROM invoice WHERE DocNumber IN ('O\\'Brien-1','INV-1') AND CustomerRef = '7' ORDERBY Id DESC STARTPOSITION 1 MAXRESULTS 10",
    );
    expect(q).toMatchObject({ entity: 'invoice', count: false, startPosition: 1, maxResults: 10 });
    expect(q.where[0]!.values).toEqual(["O'Brien-1", 'INV-1']);
    expect(runQuery(q, rows).rows.map((r) => r.Id)).toEqual(['3', '2']);
  });

  it('counts, matches LIKE case-insensitively and orders ids numerically', () => {
    expect(
      runQuery(parseQuery("select count(*) from Invoice where DocNumber like 'inv%'"), rows).totalCount,
    ).toBe(2);
    expect(runQuery(parseQuery('select * from Invoice orderby Id'), rows).rows.map((r) => r.Id)).toEqual([
      '2',
      '3',
      '10',
    ]);
    expect(
      runQuery(parseQuery('select * from Invoice where TotalAmt >= 20 startposition 2 maxresults 1'), rows)
        .rows,
    ).toHaveLength(1);
  });

  it('rejects malformed queries', () => {
    expect(() => parseQuery("select * from Invoice where DocNumber = 'open")).toThrow(QuerySyntaxError);
    expect(() => parseQuery('select * from Invoice where DocNumber ~ 1')).toThrow(QuerySyntaxError);
    expect(() => parseQuery('select * Invoice')).toThrow(QuerySyntaxError);
  });
});
