# Two-step verification: a code from an authenticator app after the password, recovery codes,
# the admin's reset, and the password-strength message.
account-mfa = Two-step verification
mfa-title = Two-step verification
mfa-status = Status
mfa-on = On
mfa-off = Off
mfa-intro = Two-step verification asks for a six-digit code from an authenticator app on your phone after your password, so a stolen password alone cannot open your account. Any app that supports time-based codes (TOTP) works.
mfa-required = Your role needs two-step verification. Set it up to continue to the staff pages.
mfa-setup-submit = Set up two-step verification
mfa-setup-title = Set up two-step verification
mfa-setup-step-scan = 1. Add JET Desk to your authenticator app
mfa-setup-scan-intro = Scan this QR code with the app.
mfa-qr-alt = QR code for your authenticator app
mfa-setup-key-intro = If you cannot scan it, enter this key in the app instead:
mfa-setup-uri = Set-up link for apps on this device
mfa-setup-step-confirm = 2. Enter the code the app shows
mfa-confirm-submit = Turn on two-step verification
mfa-cancel = Cancel
field-mfa-code = Code
hint-mfa-code = The six digits the app shows now.
hint-mfa-code-or-recovery = The six digits your authenticator app shows now, or one of your recovery codes.
mfa-codes-title = Your recovery codes
mfa-codes-intro = If you lose your phone, sign in with one of these codes instead. Each code works once. Keep them somewhere safe, away from your phone: print them or save them in a password manager.
mfa-codes-once = This is the only time these codes are shown.
mfa-codes-done = I have saved my codes
mfa-codes-left-label = Recovery codes left
mfa-disable-title = Turn off two-step verification
mfa-disable-intro = To turn it off, enter your password and a code from your app (or a recovery code).
mfa-disable-submit = Turn off two-step verification
mfa-code-title = Enter your code
mfa-code-intro = Your account has two-step verification. Open your authenticator app and enter the code it shows for JET Desk.
mfa-code-submit = Continue
mfa-code-lost = Lost your phone and your recovery codes? Contact the JET Desk: an administrator can reset two-step verification after checking who you are.
notice-mfa-enabled = Two-step verification is on.
notice-mfa-disabled = Two-step verification is off.
notice-mfa-expired = Signing in took too long. Enter your email address and password again.
err-mfa-code-empty = Enter the code from your authenticator app
err-mfa-code-format = Enter the six digits the app shows, such as 123456
err-mfa-code-wrong = The code is not right. Check that you entered the code JET Desk shows now, and that your phone's clock is set automatically
err-mfa-code-used = This code has already been used. Wait for the app to show a new code
err-mfa-locked = Too many wrong codes. Wait 15 minutes and try again
err-mfa-unreadable = Codes from your authenticator app cannot be checked at the moment. Use one of your recovery codes, or ask the JET Desk to reset two-step verification
err-password-guessable = This password is too easy to guess: it is a common password, close to one, or made from your name or email address. Use a few unrelated words instead
mail-mfa-subject = Two-step verification changed on your JET Programme account
mail-mfa-enabled-body =
    Two-step verification was just turned on for your JET Programme account. From now on, signing in asks for a code from your authenticator app.

    If this was not you, reset your password now and contact the JET Desk.
mail-mfa-disabled-body =
    Two-step verification was just turned off for your JET Programme account.

    If this was not you, reset your password now and contact the JET Desk.
mail-mfa-reset-body =
    An administrator has reset two-step verification on your JET Programme account, as you asked. Set it up again from your account page.

    If you did not ask for this, contact the JET Desk now.
admin-mfa = Two-step verification
admin-mfa-reset = Reset two-step verification
admin-mfa-reset-hint = For someone who lost both their phone and their recovery codes. Check who they are first. They will be told by email.
notice-mfa-reset = Two-step verification has been reset. The user has been told by email.
notice-mfa-none = This user has no two-step verification to reset.
mfa-new-codes-title = New recovery codes
mfa-new-codes-intro = Used some of your recovery codes, or think someone may have seen them? Make ten new ones: the old ones stop working. Enter your password and a code from your app (not a recovery code).
mfa-new-codes-submit = Make new recovery codes
notice-mfa-new-codes = You have new recovery codes. The old ones no longer work.
mail-mfa-new-codes-body =
    New recovery codes were just made for your JET Programme account; the old ones no longer work.

    If this was not you, reset your password now and contact the JET Desk.
mfa-codes-low = { $count ->
    [0] You have no recovery codes left.
    [one] You have one recovery code left.
   *[other] You have only { $count } recovery codes left.
} Make new ones below, so that you can still sign in if you lose your phone.
