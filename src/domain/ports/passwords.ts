/** Password hashing is a port: scrypt from node:crypto on Node, another KDF where that is missing. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}
