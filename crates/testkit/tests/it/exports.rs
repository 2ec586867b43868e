//! Exports of the staff lists as CSV and XLSX: the filters on screen apply, the workbook opens,
//! every export is audited and a wrong role is refused.
