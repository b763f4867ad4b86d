"""Every sentence the bot says to citizens and staff, in Vietnamese.

Kept in one module so a commune officer (or a translator) can review the
bot's voice in one place. The tone is "4 xin": xin chào, xin lỗi, xin cảm ơn,
xin phép; the bot addresses people as "anh/chị" and always leaves a path to a
human. Features keep their sentences in their own section below.
"""

from __future__ import annotations

# ---------------------------------------------------------------- general / menu
WELCOME = (
    "Xin chào anh/chị! Tôi là trợ lý tự động của {office}.\n"
    "Tôi có thể giúp anh/chị tìm hiểu thủ tục hành chính, hướng dẫn làm hồ sơ trực tuyến "
    "từng bước, ghi nhận phản ánh, kiến nghị và gửi thông báo của xã, phường.\n"
    "Anh/chị có thể gõ câu hỏi (có dấu hoặc không dấu đều được) hoặc chọn một mục dưới đây."
)
MENU_PROMPT = "Anh/chị cần hỗ trợ việc gì ạ? Xin mời chọn một mục, hoặc gõ câu hỏi của anh/chị."
MENU_ASK = "Hỏi về thủ tục"
MENU_GUIDES = "Hướng dẫn từng bước"
MENU_COMPLAINT = "Gửi phản ánh, kiến nghị"
MENU_CONTACT = "Liên hệ, lịch tiếp dân"
MENU_SUBSCRIBE = "Đăng ký nhận thông báo"
MENU_BACK = "« Về menu chính"
ASK_PROMPT = (
    "Xin mời anh/chị gõ câu hỏi về thủ tục cần làm, ví dụ: «làm giấy khai sinh cho con», "
    "«đổi căn cước», «đăng ký tạm trú». Hoặc chọn một nhóm thủ tục dưới đây."
)
GROUP_PROMPT = "Các thủ tục nhóm «{group}». Anh/chị chọn thủ tục cần tìm hiểu:"
THANKS_REPLY = "Xin cảm ơn anh/chị! Nếu cần gì thêm, anh/chị cứ nhắn cho tôi bất cứ lúc nào."
GOODBYE_REPLY = "Xin cảm ơn anh/chị đã liên hệ. Chúc anh/chị một ngày tốt lành!"
YES_NO_ALONE = "Dạ, anh/chị cần tôi hỗ trợ việc gì tiếp theo ạ?"
FEATURE_UNAVAILABLE = "Xin lỗi anh/chị, chức năng này hiện chưa sẵn sàng. Anh/chị vui lòng liên hệ trực tiếp:"
UNKNOWN_COMMAND = "Xin lỗi, tôi không hiểu lệnh /{name}. Các lệnh anh/chị có thể dùng:"
STAFF_ONLY = (
    "Xin lỗi anh/chị, chức năng này chỉ dành cho cán bộ của {office}. "
    "Nếu anh/chị cần hỗ trợ, xin mời chọn một mục trong menu."
)
EXPIRED_BUTTON = "Xin lỗi anh/chị, nút này đã hết hạn hoặc không còn dùng được. Xin mời chọn lại từ menu."
CANNOT_USE_MEDIA = {
    "sticker": "Xin cảm ơn anh/chị! Tôi chỉ đọc được tin nhắn chữ, anh/chị vui lòng gõ câu hỏi nhé.",
    "photo": "Xin lỗi anh/chị, tôi chỉ dùng ảnh khi anh/chị đang gửi phản ánh. "
    "Nếu muốn phản ánh, xin mời chọn «Gửi phản ánh, kiến nghị».",
    "location": "Xin lỗi anh/chị, tôi chỉ dùng vị trí khi anh/chị đang gửi phản ánh. "
    "Nếu muốn phản ánh, xin mời chọn «Gửi phản ánh, kiến nghị».",
    "contact": "Xin cảm ơn anh/chị. Tôi chỉ dùng số điện thoại khi anh/chị gửi phản ánh và đã đồng ý.",
    "other": "Xin lỗi anh/chị, tôi chưa đọc được loại tin nhắn này. Anh/chị vui lòng gõ câu hỏi bằng chữ nhé.",
}
TEXT_TOO_LONG = (
    "Tin nhắn của anh/chị khá dài, tôi đọc phần đầu để tìm thủ tục phù hợp. "
    "Nếu chưa đúng ý, anh/chị vui lòng gõ ngắn gọn việc cần làm."
)
EMPTY_TEXT = "Dạ, anh/chị vui lòng gõ câu hỏi bằng chữ để tôi hỗ trợ ạ."
SYSTEM_ERROR = (
    "Xin lỗi anh/chị, hệ thống đang gặp sự cố tạm thời nên chưa xử lý được tin nhắn vừa rồi. "
    "Anh/chị vui lòng thử lại sau ít phút, hoặc gọi {hotline} để được hỗ trợ trực tiếp."
)
HELP_HEADER = "Các lệnh anh/chị có thể dùng:"

# ---------------------------------------------------------------- questions / answers
CLARIFY = "Ý anh/chị là thủ tục nào dưới đây ạ? Xin mời chọn, hoặc gõ lại rõ hơn."
CLARIFY_NONE = "Không phải các mục trên"
FALLBACK = (
    "Xin lỗi anh/chị, tôi chưa tìm được thông tin phù hợp với câu hỏi này. "
    "Anh/chị có thể gõ lại ngắn gọn tên thủ tục (ví dụ «khai sinh», «tạm trú»), chọn từ menu, "
    "hoặc liên hệ cán bộ: {office}, điện thoại {hotline}."
)
FALLBACK_COMPLAINT_HINT = "Nếu anh/chị muốn phản ánh, kiến nghị, xin mời chọn «Gửi phản ánh, kiến nghị»."
TOPIC_HEADER = "📄 {name}"
TOPIC_WHAT = "Là gì: {summary}"
TOPIC_WHERE = "Nơi giải quyết: {agency}"
TOPIC_FEE = "Phí, lệ phí: {fee}"
TOPIC_FEE_FREE = "Không mất phí"
TOPIC_FEE_VARIES = "theo quy định, xem mục «Phí, lệ phí»"
TOPIC_TIME = "Thời hạn: {time}"
TOPIC_ONLINE = {
    "full": "Làm trực tuyến: được, toàn trình ({portals})",
    "partial": "Làm trực tuyến: một phần ({portals}), vẫn cần đến nơi ở một bước",
    "none": "Làm trực tuyến: chưa được, anh/chị nộp trực tiếp hoặc qua bưu chính",
}
TOPIC_MORE = "Anh/chị chọn mục dưới đây để xem chi tiết."
BTN_DOCUMENTS = "Giấy tờ cần chuẩn bị"
BTN_ONLINE_STEPS = "Các bước làm trực tuyến"
BTN_FEES = "Phí, lệ phí"
BTN_LEGAL = "Căn cứ pháp lý"
BTN_MISTAKES = "Lưu ý, lỗi hay gặp"
BTN_SUBMIT_GUIDE = "Hướng dẫn nộp trực tuyến"
BTN_MENU = "Menu chính"
SECTION_DOCUMENTS = "Giấy tờ cần chuẩn bị cho «{name}»:"
SECTION_ELIGIBLE = "Người thực hiện: {eligible}"
DOC_LINE = "{n}. {doc}{copies}{original}"
DOC_COPIES = " ({copies} bản)"
DOC_ORIGINAL = " — mang bản chính để đối chiếu"
SECTION_FEES = "Phí, lệ phí của «{name}»:"
FEE_LINE_AMOUNT = "• {fee}: {amount}"
FEE_LINE_NOAMOUNT = "• {fee}"
FEE_FREE = "miễn phí"
FEE_NONE = "• Không thu phí, lệ phí."
SECTION_EXEMPTIONS = "Được miễn, giảm:"
SECTION_LEGAL = "Căn cứ pháp lý của «{name}»:"
SECTION_ONLINE = "Làm «{name}» trực tuyến:"
SECTION_ONLINE_NONE = "Thủ tục «{name}» hiện chưa làm trực tuyến được; anh/chị nộp trực tiếp tại {agency}."
SECTION_ONLINE_SEARCH = "Trên cổng, anh/chị gõ tìm: «{search}»."
SECTION_MISTAKES = "Lưu ý khi làm «{name}»:"
SECTION_SOURCE = (
    "Nguồn: {title} (kiểm tra ngày {checked}). Thông tin có thể thay đổi, anh/chị nên hỏi lại cán bộ khi nộp."
)
SECTION_NOTES = "Thông tin thêm:"

# ---------------------------------------------------------------- contact
CONTACT = (
    "{office}\nĐịa chỉ: {address}\nĐiện thoại: {hotline}{email}\nGiờ làm việc: {hours}\n"
    "Cổng dịch vụ công của tỉnh: {portal}\nCổng Dịch vụ công quốc gia: {national}"
)
CONTACT_EMAIL = "\nEmail: {email}"
RECEPTION_HEADER = "Lịch tiếp công dân:"
RECEPTION_LINE = "• {when}: {who}{where}"
RECEPTION_NONE = "Lịch tiếp công dân đang được cập nhật; anh/chị vui lòng gọi {hotline} để hỏi."
HOURS_DAYS = {1: "Thứ Hai", 2: "Thứ Ba", 3: "Thứ Tư", 4: "Thứ Năm", 5: "Thứ Sáu", 6: "Thứ Bảy", 7: "Chủ nhật"}
HOURS_LINE = "{days}, sáng {m1}–{m2}{afternoon}"
HOURS_AFTERNOON = ", chiều {a1}–{a2}"
EXAMPLE_LOCALITY_NOTE = "(Thông tin mẫu, đơn vị triển khai cần cập nhật.)"

# ---------------------------------------------------------------- console channel
CONSOLE_CHOOSE = "(gõ số để chọn)"
CONSOLE_LINK = "{label}: {url}"

# ---------------------------------------------------------------- command descriptions (menus of the apps)
CMD_START = "Bắt đầu, lời chào"
CMD_MENU = "Menu chính"
CMD_LIENHE = "Địa chỉ, giờ làm việc, lịch tiếp dân"
CMD_TROGIUP = "Các lệnh và cách dùng"

# ---------------------------------------------------------------- staff tools (knowledge base)
CMD_CAPNHAT = "Cán bộ: nạp lại cơ sở tri thức"
CMD_CHUATRALOI = "Cán bộ: các câu hỏi trợ lý chưa trả lời được"
KB_RELOADED = "Đã nạp lại cơ sở tri thức: {count} chủ đề."
KB_RELOAD_FAILED = "Chưa nạp lại được, trợ lý vẫn dùng nội dung cũ. Lỗi cần sửa:\n{problems}"
UNANSWERED_HEADER = "Câu hỏi chưa trả lời chắc chắn trong {days} ngày qua (nhiều nhất trước):"
UNANSWERED_LINE = "• ({count} lần, {decision}) {text}"
UNANSWERED_NONE = "Không có câu hỏi nào chưa trả lời được trong {days} ngày qua."

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

# ---- zalo channels
ZALO_CHOOSE = "Xin mời anh/chị chọn một mục dưới đây."
ZALO_INFO_TITLE = "Xin phép anh/chị chia sẻ họ tên và số điện thoại"
ZALO_INFO_SUBTITLE = "Chỉ dùng để cán bộ liên hệ lại về phản ánh của anh/chị"
ZALO_UNSUPPORTED = (
    "Xin lỗi anh/chị, tôi chưa xem được nội dung tin nhắn vừa rồi. "
    "Anh/chị vui lòng gõ câu hỏi bằng chữ, hoặc chọn một mục dưới đây."
)
ZALO_REAUTH_ALERT = (
    "Cảnh báo cho quản trị viên: Zalo đã từ chối quyền gửi tin của trợ lý trên Official Account, "
    "nên trợ lý tạm thời không trả lời được người dân trên Zalo OA. "
    "Xin anh/chị cấp lại quyền: chạy lệnh «motcua zalo auth-url» rồi «motcua zalo authorize» "
    "(xem hướng dẫn trong docs/zalo.md)."
)

# ---- telegram channel
TG_SHARE_PHONE = "📱 Gửi số điện thoại của tôi"
TG_CHOOSE = "Xin mời anh/chị chọn:"
# The bot's command menu in Telegram (setMyCommands) uses each command's own description.

# ---- feedback (complaints, tracking, ratings, handoff, personal data, limits)
RATE_LIMITED = (
    "Xin lỗi anh/chị, anh/chị đang gửi tin nhắn hơi nhanh nên tôi chưa kịp xử lý. "
    "Xin mời anh/chị chờ khoảng {seconds} giây rồi gửi lại tin nhắn vừa rồi. Xin cảm ơn!"
)
CMD_PHANANH = "Gửi phản ánh, kiến nghị"
CMD_TRACUU = "Tra cứu phản ánh theo mã (ví dụ /tracuu PA-2026-000123)"
CMD_GAPCANBO = "Gặp cán bộ trực"
CMD_KETTHUC = "Kết thúc trò chuyện với cán bộ"
CMD_DULIEUCUATOI = "Xem dữ liệu cá nhân tôi đang lưu về anh/chị"
CMD_XOADULIEU = "Xóa dữ liệu cá nhân của anh/chị"
CMD_HOPTHU = "(Cán bộ) Hộp thư phản ánh"
CMD_XEMPHANANH = "(Cán bộ) Xem một phản ánh theo mã"

PA_CAT_ATTITUDE = "Thái độ phục vụ"
PA_CAT_DOSSIER = "Giải quyết hồ sơ"
PA_CAT_INFRA = "Hạ tầng - môi trường"
PA_CAT_SECURITY = "An ninh trật tự"
PA_CAT_OTHER = "Khác"
PA_STATUS = {
    "received": "Đã tiếp nhận",
    "assigned": "Đang xử lý",
    "answered": "Đã trả lời",
    "closed": "Đã đóng",
    "reopened": "Mở lại",
}
PA_EVENT = {
    "received": "Tiếp nhận phản ánh",
    "assigned": "Chuyển cán bộ xử lý",
    "answered": "Cán bộ trả lời",
    "closed": "Đóng phản ánh",
    "reopened": "Mở lại theo đề nghị của người gửi",
    "rated": "Người gửi đánh giá",
}
PA_INTRO = (
    "Xin cảm ơn anh/chị đã gửi phản ánh, kiến nghị tới {office}. "
    "Tôi sẽ hỏi vài bước ngắn: loại phản ánh, nội dung, ảnh và vị trí (nếu có), số điện thoại (nếu anh/chị đồng ý). "
    "Anh/chị có thể gõ «hủy» bất cứ lúc nào để dừng.\n"
    "Việc khẩn cấp xin gọi ngay 113 (công an), 114 (cứu hỏa, cứu nạn), 115 (cấp cứu). "
    "Khiếu nại quyết định hành chính hoặc tố cáo cần làm đơn, nộp tại nơi tiếp công dân."
)
PA_PREFILLED = "Tôi đã ghi lại nội dung anh/chị vừa nhắn: «{description}»."
PA_PREFILLED_KEPT = "Tôi dùng nội dung anh/chị đã nhắn; anh/chị có thể sửa ở bước xác nhận."
PA_RESUME = (
    "Anh/chị đang soạn dở một phản ánh: «{preview}».\n"
    "Anh/chị muốn tiếp tục phản ánh này hay soạn phản ánh mới?"
)
PA_NO_DESCRIPTION = "(chưa có nội dung)"
PA_BTN_RESUME = "Tiếp tục phản ánh đang soạn"
PA_BTN_RESTART = "Soạn phản ánh mới"
PA_ASK_CATEGORY = "Phản ánh của anh/chị thuộc loại nào? Xin mời chọn:"
PA_CHOOSE_CATEGORY_FIRST = "Dạ, xin mời anh/chị chọn loại phản ánh trước:"
PA_DESCRIPTION_NOTED = "Tôi đã ghi lại nội dung này. Xin mời anh/chị chọn loại phản ánh:"
PA_ASK_DESCRIPTION = (
    "Xin mời anh/chị mô tả sự việc: chuyện gì, ở đâu, từ khi nào "
    "(tối đa {limit} ký tự). Ví dụ: «Đường thôn 3 đoạn gần trường học bị ngập sâu mỗi khi mưa»."
)
PA_DESCRIPTION_SHORT = "Nội dung hơi ngắn, anh/chị vui lòng mô tả rõ hơn một chút (ít nhất 10 ký tự) để cán bộ hiểu đúng sự việc."
PA_DESCRIPTION_LONG = (
    "Xin lỗi anh/chị, nội dung dài {length} ký tự, vượt quá {limit} ký tự. "
    "Anh/chị vui lòng rút gọn, những chi tiết khác có thể trao đổi khi cán bộ liên hệ."
)
PA_DESCRIPTION_LINKS = (
    "Xin lỗi anh/chị, tôi không nhận nội dung có nhiều đường link. "
    "Anh/chị vui lòng mô tả sự việc bằng lời của mình."
)
PA_DUPLICATE = (
    "Nội dung này giống với phản ánh {code} anh/chị đã gửi gần đây, nên tôi không ghi thêm bản trùng. "
    "Anh/chị có thể tra cứu tình trạng của phản ánh đó, hoặc nhập nội dung khác."
)
PA_ASK_MEDIA = (
    "Nếu có, anh/chị gửi kèm ảnh hiện trường (tối đa {max_photos} ảnh) và vị trí "
    "(nút đính kèm 📎 → Vị trí). Anh/chị cũng có thể nhắn thêm chi tiết. "
    "Khi xong, hoặc nếu không có ảnh, xin bấm «Tiếp tục»."
)
PA_BTN_NEXT = "Tiếp tục"
PA_PHOTO_SAVED = "Đã nhận ảnh {n}/{max_photos}."
PA_PHOTO_LIMIT = "Xin lỗi anh/chị, mỗi phản ánh nhận tối đa {max_photos} ảnh; tôi đã đủ ảnh cho phản ánh này."
PA_PHOTO_TOO_BIG = (
    "Xin lỗi anh/chị, ảnh này lớn hơn {mb} MB nên tôi không nhận được. Anh/chị gửi ảnh nhỏ hơn nhé."
)
PA_LOCATION_SAVED = "Đã nhận vị trí. Xin cảm ơn anh/chị."
PA_TEXT_ADDED = "Tôi đã thêm chi tiết này vào nội dung phản ánh."
PA_CANNOT_USE = "Xin lỗi anh/chị, tôi chỉ nhận chữ, ảnh và vị trí cho phản ánh."
PA_CONTACT_NOT_NOW = "Xin cảm ơn anh/chị, tôi sẽ hỏi số điện thoại ở bước sau."
PA_ASK_PHONE_PERMISSION = (
    "Xin phép anh/chị cho biết số điện thoại để cán bộ liên hệ khi cần làm rõ phản ánh. "
    "Việc này không bắt buộc; số điện thoại chỉ dùng cho việc xử lý phản ánh, "
    "và anh/chị có thể xóa bất cứ lúc nào bằng lệnh /xoadulieu."
)
PA_BTN_PHONE_YES = "Đồng ý, để lại số điện thoại"
PA_BTN_PHONE_NO = "Không để lại số"
PA_BTN_PHONE_KEEP = "Dùng số {phone}"
PA_ASK_PHONE = (
    "Xin cảm ơn anh/chị. Anh/chị bấm nút «Chia sẻ số điện thoại» (nếu có) hoặc gõ số điện thoại, "
    "ví dụ 0912345678."
)
PA_PHONE_INVALID = (
    "Xin lỗi, số này chưa đúng dạng số điện thoại Việt Nam (ví dụ 0912345678 hoặc +84912345678). "
    "Anh/chị vui lòng gõ lại, hoặc bấm «Không để lại số»."
)
PA_PHONE_SAVED = "Xin cảm ơn anh/chị, tôi đã ghi số điện thoại."
PA_PHONE_SKIPPED = "Dạ, anh/chị không để lại số điện thoại cũng được ạ."
PA_NO_PHONE = "không để lại"
PA_USE_BUTTONS = "Xin mời anh/chị chọn một nút dưới đây:"
PA_SUMMARY = (
    "Xin anh/chị kiểm tra lại phản ánh trước khi gửi:\n"
    "• Loại: {category}\n"
    "• Nội dung: {description}\n"
    "• Ảnh: {photos}\n"
    "• Vị trí: {place}\n"
    "• Số điện thoại: {phone}\n"
    "Nếu đúng, xin bấm «Gửi phản ánh»."
)
PA_SUMMARY_PLACE = "{lat:.5f}, {lon:.5f}"
PA_SUMMARY_PLACE_NONE = "không có"
PA_BTN_SEND = "✅ Gửi phản ánh"
PA_BTN_EDIT = "Sửa"
PA_ASK_EDIT = "Anh/chị muốn sửa phần nào?"
PA_BTN_BACK_SUMMARY = "« Quay lại bản xem trước"
PA_ACTOR_CITIZEN = "người gửi"
PA_BTN_EDIT_DESC = "Sửa nội dung"
PA_BTN_EDIT_CAT = "Đổi loại"
PA_BTN_EDIT_MEDIA = "Thêm ảnh, vị trí"
PA_BTN_EDIT_PHONE = "Sửa số điện thoại"
PA_BTN_CANCEL = "Hủy"
PA_BTN_RETRY = "Gửi lại"
PA_CANCELLED = "Dạ, tôi đã hủy phản ánh đang soạn. Anh/chị cần hỗ trợ gì thêm ạ?"
PA_NO_DRAFT = "Xin lỗi anh/chị, tôi không thấy phản ánh nào đang soạn. Xin mời chọn lại từ menu."
PA_NOT_READY = "Phản ánh chưa đủ thông tin để gửi; xin mời anh/chị hoàn thành bước sau:"
PA_SAVE_FAILED = (
    "Xin lỗi anh/chị, hệ thống đang gặp sự cố nên phản ánh CHƯA được ghi nhận. "
    "Nội dung anh/chị đã soạn vẫn được giữ lại: xin mời bấm «Gửi lại» sau ít phút, "
    "hoặc gọi {hotline} nếu việc gấp."
)
PA_SAVED = (
    "Xin cảm ơn anh/chị! Phản ánh đã được ghi nhận với mã {code}.\n"
    "Cán bộ sẽ xem xét và trả lời trong {days} ngày làm việc (dự kiến trước ngày {due}); "
    "câu trả lời sẽ được gửi vào cuộc trò chuyện này.\n"
    "Anh/chị lưu lại mã để tra cứu: /tracuu {code}"
)
PA_DAILY_LIMIT = (
    "Xin lỗi anh/chị, mỗi ngày tôi nhận tối đa {limit} phản ánh từ một người, và anh/chị đã gửi đủ hôm nay. "
    "Nếu việc gấp, anh/chị vui lòng gọi {hotline}. Xin cảm ơn anh/chị!"
)
PA_BTN_TRACK = "Tra cứu phản ánh"
PA_BTN_MINE = "Phản ánh của tôi"
PA_TRACK_HOWTO = "Để tra cứu, anh/chị gõ mã phản ánh, ví dụ: /tracuu PA-2026-000123"
PA_NONE_YET = "Anh/chị chưa gửi phản ánh nào từ tài khoản này."
PA_MINE = "Các phản ánh anh/chị đã gửi (bấm để xem chi tiết):"
PA_NOT_YOURS = (
    "Xin lỗi anh/chị, mã {code} không phải là phản ánh do anh/chị gửi từ tài khoản này, "
    "nên tôi không thể hiển thị. Anh/chị kiểm tra lại mã giúp tôi nhé."
)
PA_CARD_HEAD = "📮 Phản ánh {code} — {status}"
PA_CARD_CATEGORY = "Loại: {category}"
PA_CARD_RECEIVED = "Tiếp nhận: {at}"
PA_CARD_DESCRIPTION = "Nội dung: {description}"
PA_CARD_PHOTOS = "Ảnh kèm theo: {n}"
PA_CARD_LOCATION = "Vị trí: {lat:.5f}, {lon:.5f}"
PA_CARD_DUE = "Hạn trả lời: {at}"
PA_CARD_OVERDUE = " (QUÁ HẠN)"
PA_CARD_REPORTER = "Người gửi: {name}, điện thoại: {phone}"
PA_CARD_ASSIGNEE = "Cán bộ xử lý: {assignee}"
PA_CARD_ANSWER = "Trả lời: {answer}"
PA_ANONYMOUS = "(không rõ tên)"
PA_HISTORY_HEAD = "Quá trình xử lý:"
PA_HISTORY_LINE = "• {at}: {what}"
PA_ANSWER_TO_CITIZEN = "Xin chào anh/chị. {office} xin trả lời phản ánh {code}:\n\n{answer}"
PA_RATE_QUESTION = "Anh/chị có hài lòng với cách giải quyết phản ánh {code} không?"
PA_BTN_SATISFIED = "Hài lòng"
PA_BTN_UNSATISFIED = "Không hài lòng"
PA_CLOSED_TO_CITIZEN = (
    "Phản ánh {code} của anh/chị đã được đóng. Xin cảm ơn anh/chị đã góp ý. "
    "Nếu chưa hài lòng, anh/chị tra cứu mã và bấm «Không hài lòng» để đề nghị xem xét lại."
)
PA_RATE_NOT_YET = "Phản ánh {code} chưa có câu trả lời; anh/chị sẽ được hỏi ý kiến khi cán bộ trả lời."
PA_RATED_OK = "Xin cảm ơn anh/chị đã đánh giá! Ý kiến của anh/chị giúp chúng tôi phục vụ tốt hơn."
PA_ASK_REASON = (
    "Xin lỗi anh/chị vì kết quả chưa làm anh/chị hài lòng. "
    "Xin mời anh/chị cho biết lý do, tôi sẽ mở lại phản ánh và chuyển cán bộ xem xét lại."
)
PA_BTN_NO_REASON = "Mở lại, không nêu lý do"
PA_NO_REASON = "(người gửi không nêu lý do)"
PA_REASON_LONG = "Xin lỗi anh/chị, lý do dài quá {limit} ký tự; anh/chị vui lòng viết ngắn gọn hơn."
PA_REOPENED = (
    "Xin cảm ơn anh/chị. Phản ánh {code} đã được mở lại và chuyển cán bộ xem xét, "
    "dự kiến trả lời trước ngày {due}."
)

CS_NEW_COMPLAINT = "🔔 Có phản ánh mới."
CS_BTN_REPLY = "Trả lời"
CS_BTN_ASSIGN = "Giao cán bộ"
CS_BTN_STATUS = "Đổi trạng thái"
CS_BTN_CLOSE = "Đóng"
CS_BTN_INBOX = "Hộp thư phản ánh"
CS_BTN_OPEN = "Mở phản ánh"
CS_BTN_CANCEL = "Thôi"
CS_INBOX_EMPTY = "Không có phản ánh nào đang chờ xử lý."
CS_INBOX_HEAD = "Phản ánh đang chờ xử lý ({n}), quá hạn lên đầu:"
CS_INBOX_LINE = "{late}{code} · {status} · {category} · {at}: {preview}"
CS_LATE_MARK = "⚠️ "
CS_NOT_FOUND = "Không tìm thấy phản ánh {code}."
CS_SHOW_USAGE = "Cách dùng: /xemphananh PA-2026-000123"
CS_ASK_REPLY = "Xin mời gõ nội dung trả lời phản ánh {code}. Câu trả lời sẽ được gửi cho người phản ánh."
CS_REPLY_EMPTY = "Nội dung trả lời đang trống."
CS_REPLY_TOO_LONG = "Nội dung trả lời dài quá {limit} ký tự, xin rút gọn."
CS_REPLY_SENT = "Đã lưu câu trả lời cho {code} và xếp lịch gửi cho người phản ánh."
CS_REPLY_STORED_ONLY = "Đã lưu câu trả lời cho {code}; người gửi đã xóa dữ liệu cá nhân nên không gửi được."
CS_CANCELLED = "Đã thôi."
CS_CHOOSE_ASSIGNEE = "Giao phản ánh {code} cho cán bộ:"
CS_ASSIGNED = "Đã giao phản ánh {code} cho {who}."
CS_ASSIGNED_TO_YOU = "📌 Anh/chị được giao xử lý phản ánh {code} (người giao: {by})."
CS_NOT_STAFF = "{who} không có trong danh sách cán bộ."
CS_CHOOSE_STATUS = "Chọn trạng thái mới cho {code}:"
CS_BAD_STATUS = "Trạng thái «{status}» không hợp lệ (received, assigned, answered, closed)."
CS_NEED_ANSWER = "Phản ánh chưa có câu trả lời; xin dùng «Trả lời» để trả lời trước."
CS_STATUS_SET = "Phản ánh {code}: {status}."
CS_CLOSED = "Đã đóng phản ánh {code}."
CS_REOPENED_NOTICE = "🔁 Phản ánh {code} được người gửi mở lại. Lý do: {reason}"
CS_PHOTO = "Ảnh {n}/{total} kèm phản ánh"
CS_OVERDUE_HEAD = "⏰ Nhắc việc: {n} phản ánh đã quá hạn trả lời:"
CS_OVERDUE_LINE = "• {code} ({category}), hạn {due}: {preview}"

HO_WAITING = (
    "Dạ, tôi đã báo cán bộ trực. Anh/chị vui lòng chờ trong giây lát; anh/chị cứ nhắn nội dung cần hỏi, "
    "tôi sẽ chuyển tới cán bộ. Nếu việc gấp, anh/chị gọi {hotline}."
)
HO_ALREADY = "Anh/chị đang trong cuộc trò chuyện với cán bộ; anh/chị cứ nhắn, tôi sẽ chuyển tới cán bộ."
HO_OUT_OF_HOURS = (
    "Xin lỗi anh/chị, hiện ngoài giờ làm việc ({hours}) nên chưa có cán bộ trực trò chuyện.\n"
    "Xin phép anh/chị để lại số điện thoại để cán bộ gọi lại trong giờ làm việc? "
    "Số điện thoại chỉ dùng để gọi lại. Việc gấp, anh/chị gọi {hotline}."
)
HO_BTN_CB_YES = "Đồng ý, để lại số để được gọi lại"
HO_BTN_CB_KEEP = "Gọi lại vào số {phone}"
HO_BTN_CB_NO = "Không, cảm ơn"
HO_ASK_PHONE = (
    "Xin cảm ơn anh/chị. Anh/chị bấm «Chia sẻ số điện thoại» (nếu có) hoặc gõ số, ví dụ 0912345678."
)
HO_CALLBACK_SAVED = (
    "Xin cảm ơn anh/chị! Tôi đã ghi yêu cầu gọi lại vào số {phone}; "
    "cán bộ sẽ gọi trong giờ làm việc gần nhất."
)
HO_CALLBACK_DECLINED = "Dạ vâng. Anh/chị có thể liên hệ trực tiếp theo thông tin dưới đây:"
HO_CALLBACK_NOTICE = "📞 Yêu cầu gọi lại #{id}: {name}, số {phone}."
HO_BTN_CALLED = "Đã gọi lại"
HO_STAFF_REQUEST = "🙋 {name} muốn gặp cán bộ (trò chuyện #{hid}). Bấm «Nhận trò chuyện» để trả lời."
HO_BTN_TAKE = "Nhận trò chuyện"
HO_BTN_END = "Kết thúc trò chuyện"
HO_BTN_REPLY = "Trả lời cán bộ"
HO_FROM_CITIZEN = "💬 {name} (#{hid}): {text}"
HO_FROM_STAFF = "👤 Cán bộ: {text}"
HO_PHOTO = "[ảnh]"
HO_RELAYED_WAITING = "Đã chuyển tin nhắn tới cán bộ. Xin anh/chị chờ cán bộ trả lời."
HO_TEXT_ONLY = "Xin lỗi, trong cuộc trò chuyện tôi chỉ chuyển được tin nhắn chữ và ảnh."
HO_TOO_LONG = "Tin nhắn dài quá {limit} ký tự, anh/chị vui lòng chia nhỏ giúp tôi."
HO_TAKEN = "Anh/chị đã nhận trò chuyện #{hid}. Tin nhắn anh/chị gõ sẽ được chuyển cho người dân; gõ /ketthuc để kết thúc."
HO_TAKEN_BY_OTHER = "Trò chuyện này đã có cán bộ khác nhận ({who})."
HO_STAFF_JOINED = "Cán bộ đã tham gia cuộc trò chuyện. Xin mời anh/chị trao đổi."
HO_BACK = "Anh/chị tiếp tục trò chuyện với cán bộ; tin nhắn sẽ được chuyển tới cán bộ."
HO_ENDED_ALREADY = "Cuộc trò chuyện này đã kết thúc."
HO_ENDED_CITIZEN = "Cuộc trò chuyện với cán bộ đã kết thúc. Xin cảm ơn anh/chị!"
HO_ENDED_STAFF = "Đã kết thúc trò chuyện #{hid}."
HO_STAFF_ENDED = "Cán bộ đã kết thúc cuộc trò chuyện. Xin cảm ơn anh/chị đã liên hệ!"
HO_CITIZEN_ENDED = "Người dân đã kết thúc trò chuyện #{hid}."
HO_RATE = "Cuộc trò chuyện có hữu ích với anh/chị không?"
HO_NOBODY_FREE = (
    "Xin lỗi anh/chị, hiện các cán bộ trực đều đang bận nên chưa trả lời được. "
    "Xin phép anh/chị để lại số điện thoại để cán bộ gọi lại sớm nhất?"
)
HO_NOTHING_TO_END = "Anh/chị không có cuộc trò chuyện nào với cán bộ đang diễn ra."

RT_QUESTION = "Thông tin này có hữu ích không?"
RT_BTN_YES = "👍 Có ích"
RT_BTN_NO = "👎 Chưa có ích"
RT_THANKS = "Xin cảm ơn anh/chị đã đánh giá!"
RT_SORRY = (
    "Xin lỗi anh/chị vì thông tin chưa giúp được. Anh/chị có thể gõ lại câu hỏi rõ hơn, "
    "gặp cán bộ, gửi phản ánh, hoặc gọi {hotline}."
)
RT_BTN_HUMAN = "Gặp cán bộ"

PV_HEAD = "Dữ liệu tôi đang lưu về anh/chị:"
PV_IDENTITY = "• Tài khoản: {channel}, mã {platform_id}"
PV_NAME = "• Tên hiển thị: {name}"
PV_PHONE = "• Số điện thoại: {phone}"
PV_CONSENT = "• Đồng ý cung cấp thông tin lúc: {at}"
PV_AREA = "• Khu vực: {area}"
PV_SUBSCRIPTIONS = "• Đăng ký nhận thông báo: {subs}"
PV_FIRST_SEEN = "• Bắt đầu trò chuyện: {at}"
PV_COMPLAINTS = "• Phản ánh đã gửi: {n} ({codes})"
PV_QUESTIONS = "• Câu hỏi đã lưu để cải thiện trả lời: {n}"
PV_RATINGS = "• Đánh giá: {n}"
PV_GUIDES = "• Hướng dẫn từng bước đã dùng: {n}"
PV_CONTACTS = "• Yêu cầu gọi lại: {callbacks}; trò chuyện với cán bộ: {handoffs}"
PV_MESSAGES = "• Tin nhắn gửi tới anh/chị (thông báo, trả lời phản ánh): {n}"
PV_NONE = "không có"
PV_FOOT = "Anh/chị có thể yêu cầu xóa dữ liệu cá nhân bằng lệnh /xoadulieu."
PV_BTN_ERASE = "Xóa dữ liệu của tôi"
PV_CONFIRM = (
    "Xin phép xác nhận: anh/chị muốn xóa dữ liệu cá nhân (tên, số điện thoại, đăng ký nhận thông báo, "
    "câu hỏi đã lưu, tin nhắn chờ gửi)? Nội dung các phản ánh đã gửi vẫn được lưu để cơ quan giải quyết, "
    "nhưng không còn gắn với anh/chị nên anh/chị sẽ không nhận được trả lời qua đây. Việc xóa không thể hoàn tác."
)
PV_BTN_CONFIRM = "Đồng ý xóa"
PV_BTN_KEEP = "Không xóa"
PV_KEPT = "Dạ, tôi giữ nguyên dữ liệu. Anh/chị cần hỗ trợ gì thêm ạ?"
PV_ERASED = (
    "Tôi đã xóa dữ liệu cá nhân của anh/chị. Xin cảm ơn anh/chị đã sử dụng dịch vụ. "
    "Nếu anh/chị tiếp tục nhắn tin, tôi vẫn hỗ trợ bình thường và không lưu lại tên hiển thị "
    "mà ứng dụng nhắn tin gửi kèm mỗi tin nhắn."
)

# ---- subscriptions and broadcasts
CMD_DANGKY = "Đăng ký nhận thông báo của xã, phường"
CMD_HUY = "Hủy đăng ký nhận thông báo"
CMD_THONGBAO = "Gửi thông báo tới người dân (cán bộ)"
SUB_TOPICS = {
    "chung": "Thông báo chung",
    "tiepdan": "Lịch tiếp công dân",
    "thutuc": "Thủ tục mới hoặc thay đổi",
    "duan": "Dự án và giải phóng mặt bằng",
    "yte": "Y tế - giáo dục",
    "luadao": "Cảnh báo lừa đảo",
}
SUB_INTRO = (
    "Xin phép anh/chị: tôi chỉ gửi thông báo của {office} khi anh/chị tự chọn đăng ký, "
    "và anh/chị có thể hủy bất cứ lúc nào bằng lệnh /huy.\n"
    "Anh/chị bấm vào các chủ đề muốn nhận (bấm lần nữa để bỏ chọn), rồi bấm «Xong»."
)
SUB_CHECKED = "✅ {label}"
SUB_UNCHECKED = "⬜ {label}"
SUB_AREA_BUTTON = "Khu vực: {area}"
SUB_AREA_NONE = "chưa chọn"
SUB_DONE = "Xong"
SUB_CANCEL = "Không đăng ký nữa"
SUB_AREA_PROMPT = (
    "Anh/chị có muốn nhận thêm thông báo riêng của thôn, tổ dân phố nơi mình ở không? "
    "Xin mời chọn, hoặc bấm «Không chọn khu vực»."
)
SUB_AREA_SKIP = "Không chọn khu vực"
SUB_NOTHING_CHOSEN = (
    "Anh/chị chưa chọn chủ đề nào. Xin mời bấm vào ít nhất một chủ đề rồi bấm «Xong», "
    "hoặc bấm «Không đăng ký nữa»."
)
SUB_SAVED = "Xin cảm ơn anh/chị đã đăng ký! {now}"
SUB_NOW = "Hiện anh/chị đang nhận thông báo về: {topics}."
SUB_NOW_AREA = " Khu vực: {area}."
SUB_NONE = "Hiện anh/chị chưa đăng ký nhận thông báo nào. Anh/chị có thể đăng ký bằng lệnh /dangky."
SUB_AREA_ADDED_GENERAL = (
    "(Anh/chị chọn khu vực nên tôi đăng ký thêm mục «Thông báo chung» để anh/chị nhận được tin của khu vực.)"
)
SUB_KEPT = "Dạ, tôi giữ nguyên đăng ký của anh/chị. {now}"
UNSUB_PROMPT = "Anh/chị muốn hủy nhận thông báo nào? {now}"
UNSUB_ALL = "Hủy tất cả"
UNSUB_ONE = "Hủy «{label}»"
UNSUB_AREA = "Bỏ khu vực «{area}»"
UNSUB_KEEP = "Giữ nguyên"
UNSUB_DONE_ALL = (
    "Dạ, tôi đã hủy toàn bộ đăng ký. Anh/chị sẽ không nhận thông báo nào nữa. "
    "Nếu muốn nhận lại, anh/chị gõ /dangky."
)
UNSUB_DONE_ONE = "Dạ, tôi đã hủy mục «{label}». {now}"
UNSUB_DONE_AREA = "Dạ, tôi đã bỏ khu vực «{area}». {now}"

BC_ASK_TEXT = (
    "Soạn thông báo gửi người dân. Xin mời gửi nội dung thông báo bằng chữ "
    "(nếu cần kèm một ảnh, gửi ảnh trước rồi gửi chữ). Gõ «hủy» hoặc bấm «Hủy bỏ» để dừng."
)
BC_USE_BUTTONS = "Xin mời chọn một nút ở trên, hoặc gõ «hủy» để bỏ bản nháp."
BC_CITIZEN = "📢 Thông báo của {office}\n\n{text}\n\n(Để ngừng nhận thông báo, anh/chị gõ /huy.)"
BC_AUD_LABEL_ALL = "tất cả người đăng ký"
BC_AUD_LABEL_TOPIC = "chủ đề «{topic}»"
BC_AUD_LABEL_AREA = "khu vực «{area}»"
BC_AUD_LABEL_CHANNEL = "kênh {channel}"
BC_CHANNEL_NAMES = {
    "telegram": "Telegram",
    "zalo_oa": "Zalo OA",
    "zalo_bot": "Zalo Bot",
    "test": "thử nghiệm",
}
BC_PHOTO_SAVED = "Đã nhận ảnh. Xin mời gửi nội dung chữ của thông báo."
BC_TEXT_TOO_LONG = "Nội dung dài {n} ký tự, quá giới hạn {limit} ký tự. Xin mời rút gọn rồi gửi lại."
BC_TEXT_EMPTY = "Xin mời gửi nội dung thông báo bằng chữ."
BC_AUDIENCE_PROMPT = "Gửi cho ai?"
BC_AUD_ALL = "Tất cả người đăng ký ({n})"
BC_AUD_TOPIC = "Theo chủ đề"
BC_AUD_AREA = "Theo khu vực"
BC_AUD_CHANNEL = "Theo kênh"
BC_PICK_TOPIC = "Chọn chủ đề:"
BC_PICK_AREA = "Chọn khu vực:"
BC_PICK_CHANNEL = "Chọn kênh:"
BC_NO_AREAS = "Địa phương chưa khai báo khu vực (areas trong locality.yaml)."
BC_OPTION_N = "{label} ({n})"
BC_PREVIEW_HEADER = "Xem trước — người dân sẽ nhận đúng như tin nhắn dưới đây:"
BC_PREVIEW_FOOTER = (
    "Người nhận: {n} ({detail}). Đối tượng: {audience}. Thời gian gửi: {when}.\n"
    "Bấm «Gửi» để xếp hàng gửi, hoặc chọn hẹn giờ."
)
BC_WHEN_NOW = "ngay bây giờ"
BC_CONFIRM = "Gửi"
BC_SCHEDULE = "Hẹn giờ gửi"
BC_CANCEL_DRAFT = "Hủy bỏ"
BC_ASK_TIME = "Xin mời gõ thời điểm gửi theo giờ Việt Nam, dạng «HH:MM» (hôm nay) hoặc «dd/mm HH:MM»."
BC_BAD_TIME = (
    "Tôi chưa hiểu thời điểm «{text}». Xin mời gõ dạng «20:00» hoặc «25/12 08:30» (phải ở tương lai)."
)
BC_NO_RECIPIENTS = "Không có người nhận nào cho đối tượng này. Xin mời chọn đối tượng khác."
BC_QUEUED = (
    "Đã xếp hàng thông báo số {id} tới {n} người nhận, gửi {when}. "
    "Tôi sẽ báo tiến độ tại đây. Để dừng: /thongbao huy {id}"
)
BC_DRAFT_CANCELLED = "Đã hủy bản nháp, không gửi gì."
BC_PROGRESS = "Thông báo số {id}: đã gửi {done}/{total} {bar}"
BC_REPORT = (
    "Thông báo số {id} đã gửi xong sau {duration}.\n"
    "• Đã gửi: {sent}/{total}\n"
    "• Không liên lạc được (đã chặn, bỏ theo dõi): {unreachable}\n"
    "• Bỏ qua (ngoài thời hạn 7 ngày của Zalo): {skipped}\n"
    "• Lỗi: {failed}\n"
    "• Đã dừng: {cancelled}"
)
BC_DURATION = "{h} giờ {m} phút {s} giây"
BC_DURATION_MS = "{m} phút {s} giây"
BC_CANCELLED = "Đã dừng thông báo số {id}: {n} tin chưa gửi sẽ không gửi nữa."
BC_CANCEL_NOTHING = "Thông báo số {id} không còn tin nào đang chờ gửi (đã xong, đã dừng hoặc không tồn tại)."
BC_LIST_HEADER = "Các thông báo gần đây:"
BC_LIST_LINE = "Số {id} — {status} — {n} người — {when}: {snippet}"
BC_LIST_EMPTY = "Chưa có thông báo nào."
BC_STATUS = {"scheduled": "chờ gửi", "sending": "đang gửi", "done": "đã xong", "cancelled": "đã dừng"}
