/** The file-parsing layer of an import: bytes -> table -> columns -> typed rows. No I/O beyond the stream. */
export { openTable, SAMPLE_BYTES, type ByteSource, type Delimiter, type Table, type TableRow, type TextEncodingName } from './table.js';
export {
  columnProblemError,
  fieldsOf,
  matchColumns,
  type Column,
  type ColumnMap,
  type ColumnMapping,
  type ColumnMatch,
  type ColumnProblem,
  type EnrolmentField,
  type ImportKind,
  type PupilField,
} from './columns.js';
export { mapEnrolmentRow, mapPupilRow, type EnrolmentRow, type Identifiers, type PupilRow, type RowError, type RowResult } from './rows.js';
export { ImportFileError, type ImportFileErrorCode } from './errors.js';
export type { Destination, ExamResult, GemeenteRef, MboLeerweg, MboNiveau, VmboLeerweg, VvaStatus } from './values.js';
