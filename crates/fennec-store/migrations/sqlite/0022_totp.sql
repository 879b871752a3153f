-- Zou 1.0.97's person columns for the TOTP second factor: the base32
-- secret handed out by PUT /auth/totp, and the bcrypt hashes of the
-- sixteen recovery codes issued when a first method is enabled (a JSON
-- array of strings; each is removed once spent at login). Both stay out
-- of the person's JSON, as Zou keeps them out of its serialization.
ALTER TABLE persons ADD COLUMN "totp_secret" TEXT;
ALTER TABLE persons ADD COLUMN "otp_recovery_codes" TEXT;
