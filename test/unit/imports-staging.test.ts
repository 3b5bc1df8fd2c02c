import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealedPupilLine, type StagedPupil } from '../../src/imports/merge-pupils.js';

describe('sealedPupilLine', () => {
  it('writes the sealed numbers and a row digest that stays what earlier imports stored', () => {
    const staged: StagedPupil = {
      row: 7,
      identifiers: { bsn: '999999990', onderwijsnummer: '1000000000' },
      schoolCode: '11AA00',
      leerlingnummer: '4711',
      givenName: 'Zoë',
      surname: 'Tab\tNaam',
      birthDate: '2010-02-03',
      klas: '4B',
      rowHash: '',
    };
    const sealed = ['aa01', 'bb02', 'cc03', 'dd04'];
    let at = 0;
    const line = sealedPupilLine(staged, () => sealed[at++]!, '2025-2026');

    // The digest as it has always been computed: every imported field, absent ones as \u0000.
    const fields = ['aa01', 'cc03', '11AA00', '4711', 'Zoë', undefined, 'Tab\tNaam', '2010-02-03', undefined, undefined, undefined, '4B',
      undefined, undefined, undefined, undefined, '2025-2026'];
    const digest = createHash('sha256').update(fields.map((f) => f ?? '\u0000').join('\u0001')).digest('hex');

    const cells = line.slice(0, -1).split('\t');
    expect(cells).toEqual([
      '7', '\\\\xaa01', '\\\\xbb02', '\\\\xcc03', '\\\\xdd04', '11AA00', '4711', 'Zoë', '\\N', 'Tab\\tNaam', '2010-02-03',
      '\\N', '\\N', '\\N', '4B', '\\N', '\\N', '\\N', '\\N', `\\\\x${digest}`,
    ]);
    expect(staged.identifiers).toBeUndefined(); // the plain numbers are let go once sealed
  });
});
