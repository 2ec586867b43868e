site-name = JETプログラム 英国
site-tagline = JETデスクによる応募・配置
skip-to-content = 本文へ移動
nav-language = 言語
nav-main = メインメニュー
nav-positions = 職種
nav-eligibility = 応募資格
nav-pay = 給与・待遇
nav-about = JETプログラムについて
nav-users = ユーザー
nav-account = アカウント
nav-sign-out = ログアウト
nav-sign-in = ログイン
nav-create-account = アカウント作成
footer-text = JETプログラムは、地方自治体がCLAIR（自治体国際化協会）および3省の協力のもとで実施しています。英国での応募は在英国日本国大使館のJETデスクが担当します。
content-english-only = このページは現在英語のみです。メニューとボタンは日本語で表示されます。
home-title = 日本で教え、働き、暮らす
home-positions = 3つの職種
position-alt = 外国語指導助手（ALT）
position-alt-summary = 小学校・中学校・高等学校で、日本人教員とともに英語を教えます。
position-cir = 国際交流員（CIR）
position-cir-summary = 地方自治体で国際交流に携わります。日本語能力試験N2程度の日本語力が必要です。
position-sea = スポーツ国際交流員（SEA）
position-sea-summary = スポーツ指導者のための少数の枠で、推薦によります。
home-start = アカウントを作成して応募する

error-summary-title = 入力内容に問題があります
error-prefix = エラー：
error-reference = お問い合わせの際は、次の参照番号をお知らせください
error-home-link = ホームページへ
error-404-title = ページが見つかりません
error-404-body = アドレスを入力した場合は、正しいか確認してください。貼り付けた場合は、アドレス全体をコピーしたか確認してください。
error-403-title = このページは表示できません
error-403-body = お使いのアカウントにはこのページへのアクセス権がありません。必要な場合はJETデスクにお問い合わせください。
error-csrf-title = フォームの有効期限が切れました
error-csrf-body = セキュリティのため、フォームを送信できませんでした。前のページに戻り、再読み込みしてからもう一度お試しください。保存済みの内容は失われていません。
error-405-title = この操作はここでは使えません
error-405-body = このアドレスはその種類のリクエストを受け付けません。
error-413-title = 送信内容が大きすぎます
error-413-body = 前のページに戻り、より小さいものを送信してください。
error-429-title = 試行回数が多すぎます
error-429-body = 試行回数が上限に達しました。しばらく待ってから再度お試しください。
error-500-title = 申し訳ありません。サービスに問題が発生しました
error-500-body = しばらくしてから再度お試しください。保存済みの内容は失われていません。
error-400-title = リクエストに問題があります
error-400-body = 前のページに戻り、入力内容を確認してください。
error-unknown-language = 英語か日本語を選んでください。

notice-signed-out = ログアウトしました。
notice-password-changed = パスワードを変更しました。他の端末からはログアウトされました。
notice-password-reset = パスワードを再設定しました。新しいパスワードでログインしてください。
notice-verified = メールアドレスが確認されました。ログインできます。
notice-session-expired = セッションの有効期限が切れたため、ログアウトしました。もう一度ログインしてください。保存しようとしていた回答は保持され、再度表示されます。
notice-account-created = アカウントを作成しました。
notice-roles-saved = 役割を保存しました。

signup-title = アカウント作成
signup-intro = JETプログラムへの応募にはアカウントが必要です。応募書類は保存して、いつでも続きから作成できます。
field-display-name = 氏名
field-email = メールアドレス
hint-email-verify = 本人確認のため、このアドレスにリンクを送信します。
field-new-password = パスワードを作成
hint-password = 12文字以上。関係のない単語をいくつか組み合わせると強いパスワードになります。
field-password-confirm = パスワードをもう一度入力
signup-submit = アカウントを作成
signup-have-account = すでにアカウントをお持ちですか？
login-title = ログイン
field-password = パスワード
login-submit = ログイン
login-resend-verification = 確認リンクを再送信
login-forgot = パスワードをお忘れですか？
login-no-account = アカウントをお持ちでないですか？
forgot-title = パスワードの再設定
forgot-intro = アカウントのメールアドレスを入力してください。新しいパスワードを設定するためのリンクを送信します。リンクは1時間、1回のみ有効です。
forgot-submit = 再設定リンクを送信
reset-title = 新しいパスワードを設定
reset-submit = 新しいパスワードを保存
password-title = パスワードの変更
field-current-password = 現在のパスワード
password-submit = パスワードを変更
back-to-account = アカウントに戻る
account-title = アカウント
account-unverified = 未確認
account-roles = 役割
account-what-next = できること
account-applicant-next = 応募の前に職種について読む
account-admin-next = ユーザーと役割を管理する
account-change-password = パスワードを変更する
check-email-title = メールをご確認ください
signup-check-email = { $email } にリンクを送信しました。リンクを開いてアドレスを確認してから、ログインしてください。リンクの有効期限は3日間です。
check-email-spam = 数分待っても届かない場合は、迷惑メールフォルダをご確認ください。
resend-check-email = { $email } に未確認のアカウントがある場合、新しいリンクを送信しました。
forgot-check-email = { $email } にアカウントがある場合、パスワード再設定用のリンクを送信しました。
verify-failed-title = この確認リンクは使用できません
token-unknown = リンクが無効です。メールのリンク全体をコピーしたか確認してください。
verify-used = このリンクはすでに使用されています。アドレスは確認済みですので、ログインできます。
verify-expired = このリンクは有効期限が切れています。ログインすると新しいリンクを送信できます。
verify-sign-in-to-resend = ログインへ
reset-failed-title = この再設定リンクは使用できません
reset-used = このリンクはすでに使用されています。各リンクは1回のみ有効です。
reset-expired = このリンクは有効期限が切れています。再設定リンクの有効期限は1時間です。
reset-request-new = 新しい再設定リンクを請求する

err-email-empty = メールアドレスを入力してください
err-email-long = メールアドレスは254文字以内で入力してください
err-email-format = name@example.com のような正しい形式でメールアドレスを入力してください
err-too-long = { $max }文字以内で入力してください
err-control = タブやエスケープコードなどの制御文字は使用できません
err-name-empty = 氏名を入力してください
err-password-empty = パスワードを入力してください
err-password-short = パスワードは{ $min }文字以上にしてください
err-password-is-email = パスワードにメールアドレスは使用できません
err-password-mismatch = パスワードが一致しません
err-email-taken = このメールアドレスのアカウントはすでに存在します。ログインするか、お忘れの場合はパスワードを再設定してください
err-too-many-mails = メールの請求回数が多すぎます。1時間待ってから再度お試しください
err-login-locked-account = このアカウントへのログイン失敗が多すぎます。15分待ってから再度お試しいただくか、パスワードを再設定してください
err-login-locked-address = お使いのネットワークからのログイン失敗が多すぎます。15分待ってから再度お試しください
err-login-unverified = ログインする前にメールアドレスを確認してください。送信したリンクを使うか、下から新しいリンクを請求してください
err-login-wrong = メールアドレスまたはパスワードが正しくありません
err-current-password-empty = 現在のパスワードを入力してください
err-current-password-wrong = 現在のパスワードが正しくありません
err-unknown-role = 一覧から役割を選んでください
err-cannot-drop-own-admin = 自分の管理者権限は削除できません。他の管理者に依頼してください

mail-verify-subject = JETプログラム：メールアドレスの確認
mail-verify-body =
    { $name } 様

    次のリンクを開いて、メールアドレスを確認してください。

    { $link }

    リンクの有効期限は3日間です。アカウントを作成した覚えがない場合は、このメールを無視してください。

    在英国日本国大使館 JETデスク
mail-reset-subject = JETプログラム：パスワードの再設定
mail-reset-body =
    { $name } 様

    JETプログラムのアカウントのパスワード再設定が請求されました。次のリンクを開いて新しいパスワードを設定してください。

    { $link }

    リンクは1時間、1回のみ有効です。心当たりがない場合はこのメールを無視してください。パスワードは変更されていません。

    在英国日本国大使館 JETデスク
mail-password-changed-subject = JETプログラム：パスワードが変更されました
mail-password-changed-body =
    JETプログラムのアカウントのパスワードが変更され、他の端末からはログアウトされました。

    心当たりがない場合は、すぐにパスワードを再設定し、JETデスクにご連絡ください。

role-applicant = 応募者
role-reviewer = 審査員
role-interviewer = 面接官
role-coordinator = コーディネーター
role-host = 任用団体
role-admin = 管理者

admin-users-title = ユーザー
admin-search-label = 氏名またはメールアドレスで検索
admin-search-submit = 検索
admin-users-count = { $count }人のユーザー
pagination = ページ
pagination-prev = 前のページ
pagination-next = 次のページ
admin-back-to-users = ユーザー一覧に戻る
admin-save-roles = 役割を保存
admin-history = 履歴
admin-history-empty = まだ記録はありません。
admin-history-when = 日時
admin-history-what = 内容
admin-history-before = 変更前
admin-history-after = 変更後

round-name = 名称
round-year = 出発年
round-sea-code = SEA招待コード
round-opens = 受付開始
round-closes = 締切
round-uk-time = 英国時間（Europe/London）、分単位。
round-word-limit = 志望動機の語数制限
round-referees = 推薦者の人数
nav-apply = 応募書類
nav-applications = 応募一覧
nav-hosts = 任用団体
nav-placement = 配置
nav-rounds = 募集回
account-timetable = 学校訪問の予定表（ALT）
nav-dashboard = ダッシュボード
nav-audit = 監査ログ
