"""Personal data: /dulieucuatoi, /xoadulieu, /quyenriengtu, requests, consent, group chats.

The privacy notice names the law in force since 1 January 2026 (Luật Bảo vệ dữ liệu
cá nhân số 91/2025/QH15, Nghị định 356/2025/NĐ-CP) and says plainly that this is an
automatic (AI) assistant, as the AI Law (Luật Trí tuệ nhân tạo số 134/2025/QH15) asks.
When the notice changes, raise PRIVACY_NOTICE_VERSION: consent records keep the
version the person saw.
"""

from __future__ import annotations

CMD_DULIEUCUATOI = "Xem dữ liệu cá nhân tôi đang lưu về anh/chị"
CMD_XOADULIEU = "Xóa dữ liệu cá nhân của anh/chị"
CMD_QUYENRIENGTU = "Thông báo về xử lý dữ liệu cá nhân và quyền của anh/chị"
CMD_YEUCAUDULIEU = "Yêu cầu sửa, rút lại đồng ý hoặc phản đối xử lý dữ liệu"

PV_HEAD = "Dữ liệu tôi đang lưu về anh/chị:"
PV_IDENTITY = "• Tài khoản: {channel}, mã {platform_id}"
PV_NAME = "• Tên hiển thị: {name}"
PV_PHONE = "• Số điện thoại: {phone}"
PV_CONSENT = "• Đồng ý cung cấp thông tin lúc: {at}"
PV_AREA = "• Khu vực: {area}"
PV_SUBSCRIPTIONS = "• Đăng ký nhận thông báo: {subs}"
PV_CONSENT_RECORDS = "• Lần đồng ý, rút lại đồng ý đã ghi nhận: {n}"
PV_CALLBACKS = "• Yêu cầu gọi lại: {n}"
PV_HANDOFFS = "• Trò chuyện với cán bộ: {n}"
PV_REQUESTS = "• Yêu cầu về dữ liệu cá nhân đã gửi: {n}"
PV_FIRST_SEEN = "• Bắt đầu trò chuyện: {at}"
PV_COMPLAINTS = "• Phản ánh đã gửi: {n} ({codes})"
PV_QUESTIONS = "• Câu hỏi đã lưu để cải thiện trả lời: {n}"
PV_RATINGS = "• Đánh giá: {n}"
PV_GUIDES = "• Hướng dẫn từng bước đã dùng: {n}"
PV_MESSAGES = "• Tin nhắn gửi tới anh/chị (thông báo, trả lời phản ánh): {n}"
PV_NONE = "không có"
PV_FOOT = (
    "Anh/chị có thể tải dữ liệu này về máy (tệp JSON) bằng nút bên dưới, "
    "hoặc yêu cầu xóa dữ liệu cá nhân bằng lệnh /xoadulieu."
)
PV_BTN_ERASE = "Xóa dữ liệu của tôi"
PV_BTN_EXPORT = "Tải dữ liệu về máy (tệp JSON)"
PV_EXPORT_SENT = (
    "Xin gửi anh/chị tệp dữ liệu cá nhân tôi đang lưu về anh/chị (định dạng JSON, mở được bằng "
    "trình soạn thảo văn bản hoặc nhập vào phần mềm khác). Xin anh/chị giữ tệp cẩn thận, "
    "không chuyển cho người khác."
)
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
PV_ERASED_NOTICE = (
    "[Thông tin cá nhân của người dân trong tin này đã được xóa theo yêu cầu của họ "
    "(Luật Bảo vệ dữ liệu cá nhân 2025). Mã tham chiếu: {ref}]"
)
PRIVATE_ONLY = (
    "Xin lỗi anh/chị, việc này liên quan đến thông tin cá nhân nên tôi không trả lời trong nhóm. "
    "Xin mời anh/chị nhắn riêng cho tôi."
)

# ---------------------------------------------------------------- the AI notice (AI Law 134/2025/QH15)
AI_NOTICE = (
    "Lưu ý: tôi là trợ lý tự động (AI), không phải cán bộ. Câu trả lời của tôi dựa trên tài liệu "
    "của {office}; khi cần, anh/chị gõ «gặp cán bộ» hoặc gọi {hotline} để nói chuyện với người thật."
)

# ---------------------------------------------------------------- the privacy notice (/quyenriengtu)
PRIVACY_NOTICE_VERSION = "2026-12-01c"  # b: the download of one's data; c: dossier look-up and «Theo dõi»
PRIVACY_NOTICE = (
    "THÔNG BÁO VỀ XỬ LÝ DỮ LIỆU CÁ NHÂN (phiên bản {version})\n"
    "• Bên kiểm soát dữ liệu: {office}. Liên hệ: {hotline}, {address}.\n"
    "• Tôi là trợ lý tự động (AI); mọi phản ánh, yêu cầu do cán bộ của {office} xử lý.\n"
    "• Mục đích: trả lời câu hỏi về thủ tục; tiếp nhận, giải quyết phản ánh, kiến nghị; "
    "kết nối anh/chị với cán bộ, gọi lại; gửi thông báo anh/chị đã đăng ký; báo tình trạng hồ sơ "
    "anh/chị tra cứu hoặc theo dõi.\n"
    "• Căn cứ: phản ánh, kiến nghị và trò chuyện với cán bộ được xử lý để thực hiện nhiệm vụ "
    "của cơ quan nhà nước theo luật (không cần sự đồng ý); số điện thoại để gọi lại và đăng ký "
    "nhận thông báo, theo dõi hồ sơ chỉ khi anh/chị đồng ý, và anh/chị rút lại được bất cứ lúc nào.\n"
    "• Thời gian lưu: câu hỏi {questions} ngày; trạng thái trò chuyện {sessions} ngày; "
    "thông tin người gửi phản ánh {complaints} ngày sau khi đóng; số điện thoại gọi lại {phones} ngày; "
    "ảnh {photos} ngày; tin nhắn chờ gửi {outbox} ngày; việc theo dõi hồ sơ {dossiers} ngày sau khi hồ sơ "
    "giải quyết xong. Hết thời hạn, dữ liệu được xóa "
    "hoặc khử nhận dạng tự động.\n"
    "• Quyền của anh/chị (Điều 4 Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): được biết, đồng ý hoặc "
    "rút lại đồng ý, xem, chỉnh sửa, yêu cầu cung cấp, xóa, hạn chế, phản đối xử lý; khiếu nại, "
    "tố cáo, khởi kiện, yêu cầu bồi thường thiệt hại.\n"
    "• Cách thực hiện: /dulieucuatoi để xem và tải dữ liệu về máy (tệp JSON), /xoadulieu để xóa, "
    "/yeucaudulieu để yêu cầu sửa, rút lại đồng ý hoặc phản đối. Cơ quan phản hồi trong {ack_days} ngày làm việc."
)

# ---------------------------------------------------------------- data-subject requests (/yeucaudulieu)
DSR_MENU = "Anh/chị muốn yêu cầu gì về dữ liệu cá nhân của mình?"
DSR_BTN = {
    "correct": "Sửa thông tin sai",
    "withdraw": "Rút lại đồng ý",
    "object": "Phản đối, hạn chế xử lý",
    "delete": "Xóa dữ liệu",
}
DSR_ASK_DETAIL = "Xin mời anh/chị nhắn thông tin cần sửa (ví dụ: số điện thoại đúng là …)."
DSR_WITHDRAWN = (
    "Tôi đã ghi nhận việc anh/chị rút lại sự đồng ý: đã dừng gửi thông báo, hủy các yêu cầu gọi lại "
    "chưa thực hiện và xóa số điện thoại đã lưu. Mã yêu cầu: YC-{id}."
)
DSR_QUEUED = (
    "Tôi đã chuyển yêu cầu của anh/chị (mã YC-{id}) tới cán bộ phụ trách. "
    "Cơ quan phản hồi trước {ack} và giải quyết trước {due}."
)
DSR_PHONE_FIXED = "Tôi đã sửa số điện thoại thành {phone}. Mã yêu cầu: YC-{id}."
DSR_STAFF_NOTICE = (
    "Yêu cầu về dữ liệu cá nhân YC-{id} ({kind}): phản hồi trước {ack}, giải quyết trước {due}. "
    "Xử lý tại {link}"
)
# what staff's handling of a queued request tells the citizen (handlers/privacy_staff.py)
DSR_ACKNOWLEDGED = (
    "Cơ quan đã tiếp nhận yêu cầu về dữ liệu cá nhân của anh/chị (mã YC-{id}) và sẽ giải quyết "
    "trước ngày {due}. Xin cảm ơn anh/chị."
)
DSR_DONE = "Yêu cầu về dữ liệu cá nhân của anh/chị (mã YC-{id}) đã được giải quyết: {outcome}"
DSR_REFUSED = (
    "Xin lỗi anh/chị, yêu cầu về dữ liệu cá nhân (mã YC-{id}) chưa thực hiện được. Lý do: {outcome}\n"
    "Nếu chưa đồng ý, anh/chị có quyền khiếu nại theo Luật Bảo vệ dữ liệu cá nhân; anh/chị cũng có thể "
    "gõ «gặp cán bộ» để được giải thích thêm."
)
