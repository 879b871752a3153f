-- Zou's failed-login throttle: after 5 wrong passwords the account is
-- locked for a minute (`too_many_failed_login_attemps`).
ALTER TABLE persons ADD COLUMN login_failed_attemps INTEGER;
ALTER TABLE persons ADD COLUMN last_login_failed TEXT;
