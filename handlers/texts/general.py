"""General, menu, questions and answers, contact, console, command descriptions, staff tools."""

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
NOT_COVERED = (
    "Dạ, anh/chị đang hỏi về thủ tục «{name}». Hiện tôi chưa có hướng dẫn cho thủ tục này. "
    "Anh/chị có thể tra cứu trên Cổng Dịch vụ công quốc gia (dichvucong.gov.vn) với tên: «{search_name}», "
    "hoặc liên hệ {office}, điện thoại {hotline} để được hướng dẫn."
)
FALLBACK_COMPLAINT_HINT = "Nếu anh/chị muốn phản ánh, kiến nghị, xin mời chọn «Gửi phản ánh, kiến nghị»."
TOPIC_HEADER = "📄 {name}"
TOPIC_WHAT = "Là gì: {summary}"
TOPIC_WHERE = "Nơi giải quyết: {agency}"
TOPIC_FEE = "Phí, lệ phí: {fee}"
TOPIC_FEE_FREE = "Không mất phí"
TOPIC_FEE_VARIES = "theo quy định, xem mục «Phí, lệ phí»"
TOPIC_FEE_UNKNOWN = "mức cụ thể xem mục «Phí, lệ phí»"
TOPIC_FEE_MORE = "; các mức khác xem mục «Phí, lệ phí»"
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
