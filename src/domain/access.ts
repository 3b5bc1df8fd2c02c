/** Who may act: the roles of the API and the organisation each acts for. */
export const roles = ['mentor', 'mbo', 'officer', 'admin'] as const;
export type Role = (typeof roles)[number];

/** The verified claims of a caller's token. */
export interface Caller {
  sub: string;
  role: Role;
  /** vestiging or BRIN (mentor), BRIN (mbo), gemeentecode or RMC region (officer), anything (admin). */
  org: string;
}
