site-name = JET Programme UK
site-tagline = Applications and placements, run by the JET Desk
skip-to-content = Skip to main content
nav-language = Language
nav-main = Main
nav-positions = Positions
nav-eligibility = Eligibility
nav-pay = Pay and conditions
nav-about = About
nav-users = Users
nav-account = Your account
nav-sign-out = Sign out
nav-sign-in = Sign in
nav-create-account = Create an account
footer-text = The JET Programme is run by Japan's local governments with CLAIR and three ministries. In the UK, applications are handled by the JET Desk at the Embassy of Japan in London.
content-english-only = このページは現在英語のみです。メニューとボタンは日本語で表示されます。
home-title = Teach, work and live in Japan
home-positions = The three positions
position-alt = Assistant Language Teacher (ALT)
position-alt-summary = Team-teach English with Japanese teachers in elementary, junior high and senior high schools.
position-cir = Coordinator for International Relations (CIR)
position-cir-summary = Work in a local government office on international exchange. Needs Japanese at about JLPT N2.
position-sea = Sports Exchange Advisor (SEA)
position-sea-summary = A small number of places for sports coaches, by nomination only.
home-start = Create an account to apply

error-summary-title = There is a problem
error-prefix = Error:
error-reference = If you contact us about this, quote the reference
error-home-link = Go to the home page
error-404-title = Page not found
error-404-body = If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.
error-403-title = You cannot see this page
error-403-body = Your account does not have access to this page. If you think it should, contact the JET Desk.
error-csrf-title = This form has expired
error-csrf-body = For your security the form could not be sent. Go back, reload the page and try again. Nothing you saved before has been lost.
error-405-title = That action is not available here
error-405-body = This address does not accept that kind of request.
error-413-title = What you sent is too large
error-413-body = Go back and send something smaller.
error-429-title = Too many attempts
error-429-body = You have tried this too many times. Wait a while and try again.
error-500-title = Sorry, there is a problem with the service
error-500-body = Try again later. Nothing you saved before has been lost.
error-400-title = There is a problem with your request
error-400-body = Go back and check what you entered.
error-unknown-language = Choose English or Japanese.

notice-signed-out = You have signed out.
notice-password-changed = Your password has been changed. Other devices have been signed out.
notice-password-reset = Your password has been reset. Sign in with your new password.
notice-verified = Your email address is confirmed. You can now sign in.
notice-session-expired = Your session ended, so you have been signed out. Sign in again: the answers you were saving are kept and will be shown again.
notice-account-created = Your account has been created.
notice-roles-saved = Roles saved.

signup-title = Create an account
signup-intro = You need an account to apply to the JET Programme. You can save your application and come back to it at any time.
field-display-name = Full name
field-email = Email address
hint-email-verify = We will send a link to this address to confirm it is yours.
field-new-password = Create a password
hint-password = At least 12 characters. A few unrelated words make a strong password.
field-password-confirm = Type the password again
signup-submit = Create account
signup-have-account = Already have an account?
login-title = Sign in
field-password = Password
login-submit = Sign in
login-resend-verification = Send a new confirmation link
login-forgot = Forgotten your password?
login-no-account = No account yet?
forgot-title = Reset your password
forgot-intro = Enter the email address of your account. We will send you a link to choose a new password. The link works once, for one hour.
forgot-submit = Send reset link
reset-title = Choose a new password
reset-submit = Save new password
password-title = Change your password
field-current-password = Current password
password-submit = Change password
back-to-account = Back to your account
account-title = Your account
account-unverified = Not confirmed
account-roles = Roles
account-what-next = What you can do
account-applicant-next = Read about the positions before you apply
account-admin-next = Manage users and roles
account-change-password = Change your password
check-email-title = Check your email
signup-check-email = We have sent a link to { $email }. Open it to confirm your address, then sign in. The link works for 3 days.
check-email-spam = If it has not arrived within a few minutes, check your spam folder.
resend-check-email = If { $email } has an account that is not yet confirmed, we have sent it a new link.
forgot-check-email = If { $email } has an account, we have sent it a link to reset the password.
verify-failed-title = This confirmation link does not work
token-unknown = The link is not valid. Check that you copied the whole link from the email.
verify-used = This link has already been used. Your address is confirmed: you can sign in.
verify-expired = This link has expired. Sign in to have a new one sent.
verify-sign-in-to-resend = Go to sign in
reset-failed-title = This reset link does not work
reset-used = This link has already been used. Each link works only once.
reset-expired = This link has expired. Reset links work for one hour.
reset-request-new = Ask for a new reset link

err-email-empty = Enter your email address
err-email-long = Email address must be 254 characters or fewer
err-email-format = Enter an email address in the correct format, like name@example.com
err-too-long = Must be { $max } characters or fewer
err-control = Must not contain control characters such as tabs or escape codes
err-name-empty = Enter your full name
err-password-empty = Enter your password
err-password-short = Password must be at least { $min } characters
err-password-is-email = Password must not be your email address
err-password-mismatch = The passwords do not match
err-email-taken = An account with this email address already exists. Sign in, or reset your password if you have forgotten it
err-too-many-mails = Too many emails have been requested. Wait an hour and try again
err-login-locked-account = Too many failed attempts to sign in to this account. Wait 15 minutes and try again, or reset your password
err-login-locked-address = Too many failed sign-in attempts from your network. Wait 15 minutes and try again
err-login-unverified = Confirm your email address before you sign in. Use the link we sent you, or ask for a new one below
err-login-wrong = The email address or password is incorrect
err-current-password-empty = Enter your current password
err-current-password-wrong = Your current password is incorrect
err-unknown-role = Choose roles from the list
err-cannot-drop-own-admin = You cannot remove your own admin role. Ask another admin to do it

mail-verify-subject = Confirm your email address for the JET Programme
mail-verify-body =
    Hello { $name },

    Confirm your email address by opening this link:

    { $link }

    The link works for 3 days. If you did not create an account, ignore this email.

    JET Desk, Embassy of Japan in the UK
mail-reset-subject = Reset your JET Programme password
mail-reset-body =
    Hello { $name },

    Someone (hopefully you) asked to reset the password of your JET Programme account. Open this link to choose a new password:

    { $link }

    The link works once, for one hour. If you did not ask for this, ignore this email: your password has not changed.

    JET Desk, Embassy of Japan in the UK
mail-password-changed-subject = Your JET Programme password was changed
mail-password-changed-body =
    The password of your JET Programme account was just changed, and your other devices were signed out.

    If this was not you, reset your password now and contact the JET Desk.

role-applicant = Applicant
role-reviewer = Reviewer
role-interviewer = Interviewer
role-coordinator = Coordinator
role-host = Host organisation
role-admin = Administrator

admin-users-title = Users
admin-search-label = Search by name or email
admin-search-submit = Search
admin-users-count = { $count ->
    [one] 1 user
   *[other] { $count } users
}
pagination = Pages
pagination-prev = Previous page
pagination-next = Next page
admin-back-to-users = Back to users
admin-save-roles = Save roles
admin-history = History
admin-history-empty = Nothing recorded yet.
admin-history-when = When
admin-history-what = What
admin-history-before = Before
admin-history-after = After

round-name = Name
round-year = Departure year
round-sea-code = SEA invitation code
round-opens = Applications open
round-closes = Deadline
round-uk-time = UK time (Europe/London), to the minute.
round-word-limit = Statement of purpose word limit
round-referees = Number of referees
nav-apply = Your application
nav-applications = Applications
nav-hosts = Host organisations
nav-placement = Placement
nav-rounds = Rounds
account-timetable = Your school-visit timetable (ALTs)
nav-dashboard = Dashboard
nav-audit = Audit log
