import { z } from 'zod';

/** Submission and sample ids: safe in paths, workflow ids and job names. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Ten digits, with or without a dash after the sixth: the shape of a Danish CPR number. */
const CPR_LIKE = /^\d{6}-?\d{4}$/;

export function looksLikeCpr(id: string): boolean {
  return CPR_LIKE.test(id);
}

export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')
  .refine((id) => !looksLikeCpr(id), {
    message: 'looks like a CPR number: ids must not carry personal identifiers',
    params: { code: 'ID_LOOKS_LIKE_CPR' },
  });
