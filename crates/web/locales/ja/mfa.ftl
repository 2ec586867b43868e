# 2段階認証：パスワードの後に認証アプリのコード、リカバリーコード、管理者によるリセット、パスワードの強度。
account-mfa = 2段階認証
mfa-title = 2段階認証
mfa-status = 状態
mfa-on = 有効
mfa-off = 無効
mfa-intro = 2段階認証では、パスワードの後にスマートフォンの認証アプリが表示する6桁のコードを入力します。パスワードが盗まれても、それだけではアカウントを開けません。時間ベースのコード（TOTP）に対応したアプリであれば、どれでも使えます。
mfa-required = あなたの役割では2段階認証が必要です。スタッフのページに進むには設定してください。
mfa-setup-submit = 2段階認証を設定する
mfa-setup-title = 2段階認証の設定
mfa-setup-step-scan = 1. 認証アプリにJET Deskを追加する
mfa-setup-scan-intro = このQRコードをアプリで読み取ってください。
mfa-qr-alt = 認証アプリ用のQRコード
mfa-setup-key-intro = 読み取れない場合は、代わりにこのキーをアプリに入力してください：
mfa-setup-uri = この端末のアプリ用の設定リンク
mfa-setup-step-confirm = 2. アプリに表示されたコードを入力する
mfa-confirm-submit = 2段階認証を有効にする
mfa-cancel = キャンセル
field-mfa-code = コード
hint-mfa-code = アプリに今表示されている6桁の数字。
hint-mfa-code-or-recovery = 認証アプリに今表示されている6桁の数字、またはリカバリーコードのひとつ。
mfa-codes-title = リカバリーコード
mfa-codes-intro = スマートフォンをなくした場合は、代わりにこれらのコードでログインできます。各コードは1回だけ使えます。スマートフォンとは別の安全な場所に保管してください（印刷するか、パスワードマネージャーに保存してください）。
mfa-codes-once = これらのコードが表示されるのは今回だけです。
mfa-codes-done = コードを保存しました
mfa-codes-left-label = 残りのリカバリーコード
mfa-disable-title = 2段階認証を無効にする
mfa-disable-intro = 無効にするには、パスワードとアプリのコード（またはリカバリーコード）を入力してください。
mfa-disable-submit = 2段階認証を無効にする
mfa-code-title = コードを入力してください
mfa-code-intro = このアカウントでは2段階認証が有効です。認証アプリを開き、JET Deskに表示されているコードを入力してください。
mfa-code-submit = 続ける
mfa-code-lost = スマートフォンとリカバリーコードの両方をなくした場合は、JET Deskにご連絡ください。本人確認の後、管理者が2段階認証をリセットできます。
notice-mfa-enabled = 2段階認証が有効になりました。
notice-mfa-disabled = 2段階認証を無効にしました。
notice-mfa-expired = ログインに時間がかかりすぎました。もう一度メールアドレスとパスワードを入力してください。
err-mfa-code-empty = 認証アプリのコードを入力してください
err-mfa-code-format = アプリに表示されている6桁の数字（例：123456）を入力してください
err-mfa-code-wrong = コードが正しくありません。JET Deskに今表示されているコードを入力したか、スマートフォンの時刻が自動設定になっているかを確認してください
err-mfa-code-used = このコードはすでに使用されています。アプリに新しいコードが表示されるまでお待ちください
err-mfa-locked = 間違ったコードの入力が多すぎます。15分待ってからもう一度お試しください
err-mfa-unreadable = 現在、認証アプリのコードを確認できません。リカバリーコードのひとつを使うか、JET Deskに2段階認証のリセットを依頼してください
err-password-guessable = このパスワードは推測されやすすぎます（よく使われるパスワード、それに近いもの、またはお名前やメールアドレスから作られたもの）。関連のない単語をいくつか組み合わせてください
mail-mfa-subject = JETプログラムのアカウントの2段階認証が変更されました
mail-mfa-enabled-body =
    JETプログラムのアカウントで2段階認証が有効になりました。今後、ログインの際に認証アプリのコードが必要になります。

    お心当たりがない場合は、すぐにパスワードを再設定し、JET Deskにご連絡ください。
mail-mfa-disabled-body =
    JETプログラムのアカウントで2段階認証が無効になりました。

    お心当たりがない場合は、すぐにパスワードを再設定し、JET Deskにご連絡ください。
mail-mfa-reset-body =
    ご依頼により、管理者がJETプログラムのアカウントの2段階認証をリセットしました。アカウントのページからもう一度設定してください。

    ご依頼されていない場合は、すぐにJET Deskにご連絡ください。
admin-mfa = 2段階認証
admin-mfa-reset = 2段階認証をリセットする
admin-mfa-reset-hint = スマートフォンとリカバリーコードの両方をなくした人のためのものです。先に本人確認をしてください。本人にはメールで通知されます。
notice-mfa-reset = 2段階認証をリセットしました。ユーザーにはメールで通知しました。
notice-mfa-none = このユーザーには、リセットする2段階認証がありません。
