"""Step-by-step walkthroughs (the "5 biết"), general and tailored to one procedure."""

from __future__ import annotations

# ---------------------------------------------------------------- guides (step-by-step walkthroughs, "5 biết")
CMD_HUONGDAN = "Hướng dẫn từng bước: nộp hồ sơ, thanh toán, VNeID, nhận kết quả"
CMD_5BIET = "«5 biết» của anh/chị: đã biết làm gì, học tiếp việc gì"
CMD_GUIDE_FUNNEL = "Thống kê hướng dẫn từng bước (cán bộ)"
CMD_GUIDE_CALLBACKS = "Người dân đang chờ cán bộ gọi lại (cán bộ)"
CALLBACKS_NONE = "Không có yêu cầu gọi lại nào đang chờ."
CALLBACKS_HEADER = "Có {count} yêu cầu gọi lại đang chờ (từ hướng dẫn từng bước hoặc khi người dân muốn gặp cán bộ ngoài giờ):"
CALLBACKS_LINE = "#{id} · {phone} · {name} · gửi lúc {asked} · {where} (bước {step})"
BTN_CALLBACK_DONE = "✅ Đã gọi #{id}"
CALLBACK_MARKED = "Đã ghi nhận: yêu cầu #{id} đã được gọi lại. Xin cảm ơn!"
GUIDE_LIST_HEADER = (
    "Tôi có thể hướng dẫn anh/chị từng bước, mỗi tin nhắn một bước, vào bất cứ lúc nào. "
    "Xin mời chọn việc anh/chị muốn làm:"
)
GUIDE_LIST_SPECIFIC = (
    "Nếu anh/chị cần nộp một thủ tục cụ thể, hãy gõ tên thủ tục (ví dụ «đăng ký tạm trú») rồi chọn "
    "«Hướng dẫn nộp trực tuyến»: tôi sẽ hướng dẫn riêng cho thủ tục đó."
)
GUIDE_NONE_AVAILABLE = (
    "Xin lỗi anh/chị, hiện chưa có hướng dẫn từng bước nào. Anh/chị vui lòng liên hệ cán bộ:"
)
GUIDE_TOPIC_CHOOSE = "Anh/chị chọn hướng dẫn muốn làm theo:"
BTN_GUIDE_CONTINUE = "▶️ Làm tiếp: {title}"
BTN_GUIDE_ALL = "Tất cả hướng dẫn"
BTN_GUIDE_5BIET = "«5 biết» của tôi"
BTN_GUIDE_NEXT = "✅ Xong, sang bước tiếp"
BTN_GUIDE_FINISH = "✅ Tôi đã làm xong bước này"
BTN_GUIDE_BACK = "« Quay lại"
BTN_GUIDE_STUCK = "🆘 Tôi bị vướng"
BTN_GUIDE_STOP = "⏹ Dừng hướng dẫn"
BTN_GUIDE_SEE = "📘 {title}"
BTN_GUIDE_UNDERSTOOD = "👌 Tôi đã hiểu"
GUIDE_LINK_LABEL = "Mở trang"
GUIDE_CHOOSE_ONE = "Ở bước này anh/chị chọn một trong các lựa chọn bên dưới nhé."
GUIDE_TRY_AGAIN = "Anh/chị cũng có thể làm lại hướng dẫn từ đầu, chậm rãi từng bước:"
BTN_GUIDE_RESUME = "▶️ Làm tiếp từ bước đó"
BTN_GUIDE_RESTART = "🔁 Làm lại từ đầu"
BTN_GUIDE_NO_RESUME = "Không, dừng hướng dẫn này"
BTN_GUIDE_START_AGAIN = "Bắt đầu lại: {title}"
BTN_GUIDE_SOLVED = "✅ Đã ổn, làm tiếp"
BTN_GUIDE_STILL_STUCK = "😟 Vẫn chưa được"
BTN_GUIDE_CALLBACK = "📞 Nhờ cán bộ gọi lại"
BTN_GUIDE_NO_CALLBACK = "Không, cảm ơn"
BTN_GUIDE_BACK_TO_STEP = "« Quay lại bước đang làm"
BTN_GUIDE_DONE_YES = "👍 Đã làm được"
BTN_GUIDE_DONE_NO = "😟 Chưa làm được"
BTN_GUIDE_SKIP_COMMENT = "Bỏ qua"
BTN_GUIDE_LEARN_NEXT = "Học tiếp: {title}"
GUIDE_RATINGS = {"3": "Rất hài lòng", "2": "Hài lòng", "1": "Không hài lòng"}
GUIDE_STEP_HEAD = "Bước {k}/{n} — {title}"
GUIDE_WALKTHROUGH_HEAD = "📘 {title}"
GUIDE_TAP = "👉 Bấm: {tap}"
GUIDE_SCREEN = "📱 Màn hình hiện: {screen}"
GUIDE_STEP_HINT = "Làm xong thì bấm «Xong», gặp khó thì bấm «Tôi bị vướng»."
GUIDE_FIRST_STEP = "Đây đã là bước đầu tiên."
GUIDE_PHOTO_HINT = (
    "Xin cảm ơn anh/chị đã gửi ảnh. Tôi chưa đọc được nội dung ảnh, nhưng đây là những chỗ hay bị vướng "
    "ở bước này:"
)
GUIDE_OLD_BUTTON = "Nút anh/chị vừa bấm thuộc một bước trước. Anh/chị đang ở bước này:"
GUIDE_NO_ACTIVE = (
    "Xin lỗi anh/chị, hướng dẫn này đã kết thúc hoặc đã hết hạn. Anh/chị có thể bắt đầu lại bất cứ lúc nào:"
)
GUIDE_UNKNOWN = "Xin lỗi anh/chị, hướng dẫn này không còn nữa (có thể cán bộ vừa cập nhật). Xin mời chọn lại:"
GUIDE_CHANGED = (
    "Hướng dẫn «{title}» vừa được cán bộ cập nhật nên tôi xin phép đưa anh/chị về bước đầu. "
    "Những bước anh/chị đã làm xong thì chỉ cần bấm «Xong» để đi tiếp."
)
GUIDE_SWITCHED = "Tôi đã dừng hướng dẫn «{title}» anh/chị đang làm dở để bắt đầu hướng dẫn mới."
GUIDE_ALREADY_HERE = "Anh/chị đang làm hướng dẫn này, tôi xin nhắc lại bước hiện tại:"
GUIDE_STOPPED = (
    "Dạ, tôi đã dừng hướng dẫn «{title}». Khi cần, anh/chị gõ /huongdan để bắt đầu lại. Xin cảm ơn anh/chị!"
)
GUIDE_RESUME_PROMPT = (
    "Lần trước anh/chị đang làm dở hướng dẫn «{title}», đến bước {k}/{n}: «{step}». "
    "Anh/chị có muốn làm tiếp từ bước đó không?"
)
GUIDE_RESUME_GREETING = "Xin chào anh/chị, rất vui được gặp lại!"
GUIDE_EXPIRED = (
    "Hướng dẫn «{title}» anh/chị làm dở từ ngày {date} đã quá {days} ngày nên tôi xin phép đóng lại. "
    "Khi cần, anh/chị bắt đầu lại bất cứ lúc nào nhé."
)
GUIDE_PROBLEMS_HEADER = "Những chỗ hay bị vướng ở bước «{step}» và cách xử lý:"
GUIDE_PROBLEM_LINE = "{n}. {title}\n→ {fix}"
GUIDE_PROBLEMS_FOOTER = "Anh/chị thử lại theo cách trên. Nếu đã ổn, bấm «Đã ổn, làm tiếp»."
GUIDE_NO_PROBLEMS = "Bước «{step}» chưa có ghi chú vướng mắc nào, xin lỗi anh/chị."
GUIDE_HELP = (
    "Xin lỗi anh/chị vì vẫn còn vướng. Cán bộ của {office} sẵn sàng hỗ trợ trực tiếp:\n"
    "Điện thoại: {hotline}\nĐịa chỉ: {address}\nGiờ làm việc: {hours}\n"
    "Anh/chị cũng có thể nhờ cán bộ gọi lại cho mình."
)
GUIDE_CALLBACK_ASK = (
    "Xin phép anh/chị cho tôi số điện thoại để cán bộ gọi lại hỗ trợ. Số này chỉ dùng để gọi hỗ trợ "
    "việc anh/chị đang vướng, không dùng vào việc khác. Anh/chị bấm «Chia sẻ số điện thoại» "
    "(nếu ứng dụng có nút này) hoặc gõ số điện thoại, ví dụ 0912345678."
)
GUIDE_CALLBACK_CANCEL_HINT = "Nếu không muốn để lại số, anh/chị bấm «Không, cảm ơn»."
GUIDE_PHONE_INVALID = (
    "Xin lỗi, số «{phone}» chưa đúng dạng số điện thoại Việt Nam. Anh/chị vui lòng gõ lại "
    "(10 chữ số, ví dụ 0912345678), hoặc bấm «Không, cảm ơn»."
)
GUIDE_CALLBACK_SAVED = (
    "Xin cảm ơn anh/chị. Tôi đã ghi nhận yêu cầu gọi lại số {phone}. Cán bộ của {office} sẽ gọi "
    "trong giờ làm việc, {when}. Nếu cần gấp, anh/chị gọi {hotline}."
)
GUIDE_CALLBACK_NOW = "sớm nhất có thể trong hôm nay"
GUIDE_CALLBACK_LATER = "bắt đầu từ {time} {weekday} ngày {date}"
GUIDE_CALLBACK_DECLINED = "Dạ, tôi không lưu số điện thoại của anh/chị. Xin cảm ơn anh/chị!"
GUIDE_FINISHED = "🎉 Anh/chị đã đi hết các bước của hướng dẫn «{title}». Anh/chị đã làm được chưa?"
GUIDE_DETOUR_END = (
    "Hướng dẫn «{title}» tạm dừng ở đây. Khi đã sẵn sàng, anh/chị gõ /huongdan để làm lại, "
    "tôi luôn sẵn sàng hỗ trợ."
)
GUIDE_RATE_ASK = "Thật tuyệt, xin chúc mừng anh/chị! Anh/chị thấy hướng dẫn này thế nào?"
GUIDE_COMMENT_ASK = (
    "Xin cảm ơn anh/chị đã đánh giá. Anh/chị có muốn góp ý thêm để hướng dẫn tốt hơn không? "
    "Xin mời gõ góp ý, hoặc bấm «Bỏ qua»."
)
GUIDE_THANKS = "Xin cảm ơn anh/chị đã góp ý!"
GUIDE_THANKS_NO_COMMENT = "Xin cảm ơn anh/chị!"
GUIDE_NOT_DONE = "Xin lỗi anh/chị vì hướng dẫn chưa giúp được trọn vẹn."
GUIDE_NOTHING_TO_RATE = "Xin lỗi anh/chị, tôi không tìm thấy hướng dẫn nào vừa làm xong để đánh giá."
GUIDE_REQUEST_NOT_ONLINE = (
    "Xin lỗi anh/chị, thủ tục «{name}» hiện chưa nộp trực tuyến được. Thông tin thủ tục:"
)
GUIDE_REQUEST_PROCEDURE = "Dạ, tôi xin hướng dẫn anh/chị nộp «{name}» trực tuyến, từng bước một."
SKILL_NAMES = {
    "nop-truc-tuyen": "Biết nộp hồ sơ trực tuyến",
    "thanh-toan": "Biết thanh toán phí, lệ phí trực tuyến",
    "phan-anh": "Biết gửi phản ánh, kiến nghị trực tuyến",
    "nhan-ket-qua": "Biết tra cứu và nhận kết quả trực tuyến",
    "ung-dung": "Biết cài đặt, sử dụng VNeID và Cổng Dịch vụ công",
}
FIVE_HEADER = "«5 biết» của anh/chị: năm việc mỗi người dân nên biết làm trên mạng."
FIVE_DONE = "✅ {n}. {skill}"
FIVE_TODO = "⬜ {n}. {skill}"
FIVE_FINISHED_LIST = "    đã làm xong: {titles}"
FIVE_ACTIVE = "⏳ {n}. {skill} (đang làm dở: bước {k}/{m})"
FIVE_COUNT = "Anh/chị đã hoàn thành {done}/5 việc."
FIVE_NEXT = "Việc nên học tiếp: {skill}."
FIVE_ALL_DONE = "Xin chúc mừng, anh/chị đã biết cả 5 việc! Hãy giúp người thân trong nhà cùng biết nhé."
FUNNEL_HEADER = "Thống kê hướng dẫn từng bước («5 biết»):"
FUNNEL_SKILL = "{skill}: {started} người bắt đầu, {finished} người làm xong"
FUNNEL_STOP = "  Dừng nhiều nhất: «{walkthrough}», bước «{step}» ({count} lượt)"
FUNNEL_NO_STOP = "  Chưa có ai dừng giữa chừng."
FUNNEL_CALLBACKS = "Yêu cầu gọi lại đang chờ: {count}"

# tailored "nộp trực tuyến" walkthrough of one procedure (built from its `online` block)
TAILORED_TITLE = "Nộp trực tuyến: {name}"
TAILORED_PREPARE_TITLE = "Chuẩn bị"
TAILORED_PREPARE = (
    "Tôi sẽ hướng dẫn anh/chị nộp «{name}» trực tuyến, mỗi tin nhắn một bước.\n{level}\n"
    "Anh/chị cần: điện thoại hoặc máy tính có mạng; tài khoản định danh điện tử VNeID mức 2 "
    "(nhớ mật khẩu và passcode); số điện thoại đang dùng để nhận mã OTP."
)
TAILORED_PREPARE_ASK = "Anh/chị đã có tài khoản VNeID mức 2 chưa?"
TAILORED_PREPARE_FILES = "Giấy tờ đính kèm (chụp sẵn rõ nét): {files}."
TAILORED_LEVEL = {
    "full": "Thủ tục này làm trực tuyến toàn trình: anh/chị không phải đến cơ quan để nộp hồ sơ.",
    "partial": "Thủ tục này làm trực tuyến một phần: anh/chị nộp trên mạng, nhưng vẫn cần đến cơ quan "
    "một lần theo hẹn.",
}
TAILORED_DEFAULT_PORTAL = "Cổng Dịch vụ công quốc gia"
TAILORED_APP_NAME = "ứng dụng VNeID"
TAILORED_HAVE_L2 = "Đã có VNeID mức 2"
TAILORED_NO_L2 = "Chưa có / không rõ"
TAILORED_NO_L2_TITLE = "Cần tài khoản VNeID mức 2 trước"
TAILORED_NO_L2_TEXT = (
    "Để nộp hồ sơ trực tuyến, anh/chị cần tài khoản định danh điện tử mức 2. Tài khoản mức 2 làm trực tiếp "
    "tại Công an cấp xã bất kỳ (mang thẻ căn cước hoặc CCCD gắn chip), không mất phí; người đã làm thẻ "
    "căn cước thường đã được cấp kèm. Mở ứng dụng VNeID, nếu trang chủ ghi «Mức độ 2» là đã có.\n"
    "Khi có mức 2, anh/chị quay lại và chọn «Hướng dẫn nộp trực tuyến» để làm tiếp."
)
TAILORED_CHANNEL_TITLE = "Chọn nơi nộp"
TAILORED_CHANNEL_TEXT = "Thủ tục này nộp được trên {portals}. Anh/chị muốn nộp ở đâu?"
TAILORED_ON_WEB = "Trên trang web"
TAILORED_ON_APP = "Trên ứng dụng VNeID"
TAILORED_LOGIN_TITLE = "Đăng nhập {portal}"
TAILORED_LOGIN_TEXT = (
    "Mở trình duyệt, vào {url}, bấm «Đăng nhập» và chọn đăng nhập bằng tài khoản định danh điện tử "
    "(VNeID) do Bộ Công an cấp. Anh/chị muốn đăng nhập cách nào?"
)
TAILORED_LOGIN_QR = "Quét mã QR bằng VNeID"
TAILORED_LOGIN_PASSWORD = "Nhập số định danh, mật khẩu"
TAILORED_QR_TITLE = "Đăng nhập bằng mã QR"
TAILORED_QR_TEXT = (
    "Cách này hợp khi anh/chị mở cổng trên máy tính. Trang đăng nhập hiện một mã QR. Trên điện thoại, mở "
    "VNeID, bấm biểu tượng quét mã QR trên trang chủ, đưa camera vào mã. Lần đầu, ứng dụng hỏi cho phép "
    "đăng nhập trang web: chọn đồng ý và nhập passcode."
)
TAILORED_QR_SCREEN = "trang cổng dịch vụ công với họ tên của anh/chị ở góc trên."
TAILORED_PASSWORD_TITLE = "Đăng nhập bằng mật khẩu"
TAILORED_PASSWORD_TEXT = (
    "Nhập số định danh cá nhân (12 số trên thẻ căn cước) và mật khẩu VNeID, bấm «Đăng nhập». Hệ thống gửi "
    "mã OTP qua tin nhắn hoặc yêu cầu xác nhận trên ứng dụng VNeID: làm theo yêu cầu trên màn hình."
)
TAILORED_SEARCH_TITLE = "Tìm thủ tục"
TAILORED_SEARCH_TEXT = (
    "Gõ «{search}» vào ô tìm kiếm của cổng, bấm tìm, rồi chọn đúng thủ tục trong danh sách. {agency}"
)
TAILORED_AGENCY_COMMUNE = (
    "Chọn cơ quan thực hiện: tỉnh {province}, rồi xã, phường nơi giải quyết (ví dụ {commune}). "
    "Cơ quan giải quyết thủ tục này: {agency}."
)
TAILORED_AGENCY_OTHER = "Chọn cơ quan thực hiện (nếu cổng hỏi tỉnh, chọn tỉnh {province}). Cơ quan giải quyết thủ tục này: {agency}."
TAILORED_SEARCH_TAP = "«Nộp trực tuyến» (hoặc «Nộp hồ sơ»)"
TAILORED_SEARCH_SCREEN = "tờ khai điện tử của thủ tục, thông tin cá nhân đã được điền sẵn."
TAILORED_APP_TITLE = "Mở thủ tục trên VNeID"
TAILORED_APP_TEXT = (
    "Mở ứng dụng VNeID, đăng nhập tài khoản mức 2. Trên trang chủ chọn «Thủ tục hành chính», tìm và chọn "
    "«{search}», rồi bấm «Tạo mới yêu cầu»."
)
TAILORED_APP_SCREEN = "tờ khai của thủ tục, thông tin cá nhân lấy sẵn từ dữ liệu dân cư."
TAILORED_FORM_TITLE = "Điền tờ khai"
TAILORED_FORM_TEXT = (
    "Thông tin cá nhân đã được điền sẵn từ Cơ sở dữ liệu quốc gia về dân cư, anh/chị kiểm tra lại cho đúng. "
    "Điền các ô còn trống, chú ý ô có dấu * là bắt buộc."
)
TAILORED_FORM_FIELDS = "Riêng thủ tục này, anh/chị chú ý điền: {fields}."
TAILORED_ATTACH_TITLE = "Đính kèm giấy tờ"
TAILORED_ATTACH_TEXT = (
    "Ở phần thành phần hồ sơ, bấm tải tệp lên cho từng giấy tờ: {files}. Ảnh chụp phải rõ nét, đủ các góc, "
    "không lóa. Giấy tờ đã có trong kho dữ liệu điện tử hoặc trên VNeID thì chọn lấy từ đó, không cần chụp."
)
TAILORED_ATTACH_TAP = "«Chọn tệp» hoặc «Tải lên» ở từng giấy tờ"
TAILORED_PAY_TITLE = "Nộp phí, lệ phí"
TAILORED_PAY_TEXT = "{fee_step}\nCó thể thanh toán bằng ứng dụng ngân hàng, thẻ hoặc ví điện tử."
TAILORED_PAY_FEES = "Mức thu theo quy định: {fees}."
TAILORED_FEE_AMOUNT = "{name}: {amount} đồng"
TAILORED_SUBMIT_TITLE = "Gửi hồ sơ"
TAILORED_SUBMIT_TEXT = (
    "Kiểm tra lại tờ khai và các tệp đính kèm, đánh dấu cam kết (nếu có), rồi bấm nút gửi hồ sơ. "
    "Trên ứng dụng VNeID, anh/chị xác nhận bằng passcode."
)
TAILORED_SUBMIT_TAP = "«Nộp hồ sơ» hoặc «Gửi hồ sơ»"
TAILORED_SUBMIT_SCREEN = "thông báo nộp thành công kèm mã hồ sơ. Anh/chị chụp màn hình hoặc ghi lại mã này."
TAILORED_TRACK_TITLE = "Theo dõi và nhận kết quả"
TAILORED_TRACK_TEXT = (
    "Cơ quan sẽ báo tình trạng hồ sơ qua tin nhắn, email hoặc thông báo trên VNeID. Anh/chị xem hồ sơ trong "
    "mục quản lý hồ sơ của tài khoản (hoặc tra cứu bằng mã hồ sơ). Nếu cơ quan yêu cầu bổ sung, làm theo "
    "nội dung được báo. Thời hạn giải quyết: {time}."
)
TAILORED_TRACK_PARTIAL = "Lưu ý: thủ tục này vẫn cần anh/chị đến {agency} một lần theo hẹn."
TAILORED_OWN_STEPS = "Tóm tắt các bước của thủ tục này (tôi sẽ hướng dẫn lần lượt):\n{steps}"
TAILORED_OVERVIEW_TITLE = "Tổng quan thủ tục"

# cancelling («hủy», «thôi», /huy) while a walkthrough waits for an answer
GUIDE_CANCELLED = "Dạ, tôi đã dừng hướng dẫn từng bước. Khi cần, anh/chị gõ /huongdan để bắt đầu lại."
GUIDE_RATING_CANCELLED = (
    "Dạ, tôi bỏ qua phần đánh giá hướng dẫn «{title}». Xin cảm ơn anh/chị đã làm theo hướng dẫn!"
)
GUIDE_COMMENT_CANCELLED = (
    "Dạ, tôi không ghi góp ý nữa; đánh giá của anh/chị vẫn được lưu. Xin cảm ơn anh/chị!"
)
