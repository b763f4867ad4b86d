"""Statistics dashboard, monthly report workbook and the knowledge-base improvement page (staff)."""

from __future__ import annotations

# ---- dashboard
ST_TITLE = "Thống kê"
ST_PERIOD = "Kỳ thống kê"
ST_PERIOD_KINDS = {"week": "Tuần này", "month": "Tháng này", "quarter": "Quý này", "custom": "Tùy chọn"}
ST_FROM = "Từ ngày"
ST_TO = "Đến ngày"
ST_SHOW = "Xem"
ST_AREA = "Địa bàn"
ST_AREA_ALL = "Toàn xã/phường"
ST_AREA_NONE = "Chưa chọn địa bàn"
ST_PERIOD_LINE = "Từ {start} đến hết {last}"
ST_DOWNLOAD = "Tải báo cáo Excel (tháng {month})"
ST_BAD_PERIOD = "Kỳ thống kê không hợp lệ: {reason}"
ST_NO_DATA = "Chưa có số liệu trong kỳ này."
ST_TABLE_NOTE = "Số liệu của biểu đồ"
ST_AREA_NOTE = (
    "Phản ánh, kiến nghị được tính theo địa bàn nơi xảy ra sự việc do cán bộ ghi trên phản ánh; "
    "phản ánh chưa được ghi địa bàn thì tính theo địa bàn người dân đã chọn. "
    "Các số liệu khác tính theo địa bàn người dân đã chọn khi đăng ký."
)
ST_COUNTING = (
    "Hệ thống đang đếm số liệu các ngày trước (lần đầu chạy trên dữ liệu có sẵn). "
    "Các con số vẫn đầy đủ nhưng trang có thể tải chậm hơn cho đến khi đếm xong."
)

ST_Q_TITLE = "Câu hỏi theo ngày"
ST_DECISIONS = {"answer": "Trả lời được", "clarify": "Hỏi lại cho rõ", "fallback": "Chưa trả lời được"}
ST_DAY = "Ngày"
ST_TOTAL = "Tổng"
ST_TOPICS_TITLE = "Thủ tục được hỏi nhiều nhất"
ST_ASPECTS_TITLE = "Nội dung được hỏi nhiều nhất"
ST_TOPIC = "Thủ tục, chủ đề"
ST_ASPECT = "Nội dung hỏi"
ST_COUNT = "Số lượt"
ST_ASPECTS = {
    "fee": "Phí, lệ phí",
    "documents": "Giấy tờ",
    "where": "Nơi nộp",
    "time": "Thời gian giải quyết",
    "who": "Ai được làm",
    "online": "Làm trực tuyến",
    "deadline": "Thời hạn, xử phạt",
    "validity": "Hiệu lực giấy tờ",
    "forms": "Mẫu đơn",
    "result": "Nhận kết quả",
    "eligibility": "Đối tượng, điều kiện",
}

ST_SAT_TITLE = "Mức độ hài lòng (tỷ lệ 👍)"
ST_SAT_TREND = "Xu hướng hài lòng"
ST_SAT_KINDS = {
    "answers": "Câu trả lời",
    "guides": "Hướng dẫn từng bước",
    "complaints": "Xử lý phản ánh",
    "handoffs": "Trò chuyện với cán bộ",
}
ST_SAT_TOPIC_TITLE = "Hài lòng theo thủ tục"
ST_SAT_GUIDE_TITLE = "Hài lòng theo hướng dẫn"
ST_SAT_COMPLAINT_TITLE = "Hài lòng về xử lý phản ánh theo lĩnh vực"
ST_UP = "👍"
ST_DOWN = "👎"
ST_RATE = "Tỷ lệ 👍"
ST_FROM_DAY = "Từ ngày"

ST_PA_TITLE = "Phản ánh, kiến nghị theo lĩnh vực"
ST_PA_CATEGORY = "Lĩnh vực"
ST_PA_RECEIVED = "Tiếp nhận"
ST_PA_RESOLVED = "Đã giải quyết"
ST_PA_ON_TIME = "Đúng hạn"
ST_PA_LATE = "Trễ hạn"
ST_PA_OVERDUE = "Quá hạn chưa giải quyết"
ST_PA_DAYS = "Thời gian xử lý trung bình (ngày làm việc)"
ST_PA_NO_CATEGORY = "(không rõ lĩnh vực)"

ST_GUIDE_TITLE = "Hướng dẫn «5 biết» từng bước"
ST_GUIDE_STARTED = "Bắt đầu"
ST_GUIDE_FINISHED = "Làm xong"
ST_GUIDE_DETOUR = "Rẽ sang việc khác"
ST_GUIDE_UNFINISHED = "Dừng giữa chừng"
ST_GUIDE_STOPS = "Bước người dân dừng lại nhiều nhất"
ST_GUIDE_STEP = "Bước"

ST_BC_TITLE = "Thông báo đã gửi"
ST_BC_SENT_AT = "Gửi lúc"
ST_BC_TEXT = "Nội dung"
ST_BC_RECIPIENTS = "Người nhận"
ST_BC_DELIVERED = "Đã đến"
ST_BC_BLOCKED = "Đã chặn bot"
ST_BC_FAILED = "Lỗi"
ST_BC_PENDING = "Đang chờ"

ST_SUB_TITLE = "Người đăng ký nhận thông báo (hiện nay)"
ST_SUB_TOPIC = "Theo chủ đề"
ST_SUB_AREA = "Theo địa bàn"
ST_SUB_TOTAL = "Tổng số người đăng ký"

# ---- monthly workbook
RP_SUMMARY_SHEET = "Tổng hợp"
RP_TITLE = "BÁO CÁO KẾT QUẢ HỖ TRỢ NGƯỜI DÂN QUA TRỢ LÝ ẢO THÁNG {month}"
RP_UNIT = "Đơn vị: {office}"
RP_PERIOD = "Kỳ báo cáo: từ {start} đến hết {last}"
RP_AREA_TITLE = "Chi tiết địa bàn: {area}"
RP_HEAD = ("STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả")
RP_UNIT_TIMES = "lượt"
RP_UNIT_CASES = "vụ việc"
RP_UNIT_PERCENT = "%"
RP_UNIT_DAYS = "ngày làm việc"
RP_UNIT_PEOPLE = "người"
RP_ROWS = {
    "questions": "Số câu hỏi của người dân được tiếp nhận",
    "answered": "Số câu hỏi được trả lời",
    "answered_share": "Tỷ lệ câu hỏi được trả lời",
    "guides": "Số lượt hướng dẫn thực hiện dịch vụ công trực tuyến",
    "guides_finished": "Số lượt hướng dẫn người dân làm đến bước cuối",
    "complaints": "Số phản ánh, kiến nghị tiếp nhận",
    "resolved": "Số phản ánh, kiến nghị đã giải quyết",
    "on_time": "Trong đó giải quyết đúng hạn",
    "on_time_share": "Tỷ lệ giải quyết đúng hạn",
    "overdue": "Số phản ánh quá hạn chưa giải quyết (cuối kỳ)",
    "average_days": "Thời gian giải quyết trung bình",
    "ratings": "Số lượt đánh giá",
    "satisfaction": "Tỷ lệ hài lòng",
    "subscribers": "Số người đăng ký nhận thông báo",
}
RP_NOTE = (
    "Ghi chú: số liệu đếm tự động từ trợ lý ảo, cùng cách tính với trang Thống kê; "
    "tỷ lệ hài lòng = số lượt 👍 (hài lòng) trên tổng số lượt đánh giá."
)
RP_NOT_APPLICABLE = "—"
RP_AREA_NOTE = "Ghi chú: " + ST_AREA_NOTE[0].lower() + ST_AREA_NOTE[1:]

# ---- improvement page
IM_TITLE = "Cải thiện câu trả lời"
IM_INTRO = (
    "Các câu hỏi bot chưa trả lời được hoặc bị đánh giá 👎, gom theo nhóm câu giống nhau. "
    "Gắn nhóm vào một thủ tục (thêm câu hỏi mẫu, tên gọi khác hoặc câu hỏi thường gặp), "
    "đánh dấu ngoài phạm vi hoặc bỏ qua."
)
IM_DAYS = "Số ngày gần đây"
IM_NONE = "Không còn câu hỏi nào cần xem. Xin cảm ơn anh/chị!"
IM_GROUP_COUNT = "{n} lượt"
IM_REASONS = {"fallback": "Chưa trả lời được", "clarify": "Phải hỏi lại", "down": "Bị đánh giá 👎"}
IM_MEMBERS = "Các câu trong nhóm"
IM_TOPIC = "Thủ tục"
IM_AS = "Thêm làm"
IM_AS_KINDS = {
    "example": "Câu hỏi mẫu",
    "alias": "Tên gọi khác",
    "faq": "Câu hỏi thường gặp (soạn câu trả lời)",
}
IM_TEXT = "Câu hỏi (sửa lại nếu có thông tin cá nhân)"
IM_FAQ_ID = "Mã câu hỏi thường gặp (chữ thường, gạch nối)"
IM_FAQ_ANSWER = "Câu trả lời (theo văn bản chính thức)"
IM_FAQ_BASIS = "Căn cứ pháp lý"
IM_FAQ_SOURCE = "Nguồn (tên văn bản hoặc trang)"
IM_FAQ_URL = "Đường dẫn nguồn"
IM_FAQ_CHECKED = "Ngày đối chiếu nguồn"
IM_ACCEPT = "Thêm vào cơ sở tri thức"
IM_OUT_OF_SCOPE = "Ngoài phạm vi"
IM_DISMISS = "Bỏ qua"
IM_ACCEPTED = (
    "Đã thêm vào cơ sở tri thức (phiên bản {version}). Các máy chủ của bot sẽ cập nhật trong ít phút."
)
IM_MARKED = "Đã đánh dấu nhóm câu hỏi là ngoài phạm vi (phiên bản {version})."
IM_DISMISSED = "Đã bỏ qua nhóm câu hỏi."
IM_REFUSED = "Chưa thêm được, cơ sở tri thức đang dùng vẫn giữ nguyên. Lý do:"
IM_GONE = "Nhóm câu hỏi này đã được xử lý hoặc không còn."
IM_OVERLAY_TITLE = "Phần bổ sung của cán bộ"
IM_OVERLAY_VERSION = "Phiên bản {version}, cập nhật {at} bởi {by}"
IM_OVERLAY_EMPTY = "Chưa có phần bổ sung nào."
IM_OVERLAY_KINDS = {
    "examples": "Câu hỏi mẫu",
    "aliases": "Tên gọi khác",
    "keywords": "Từ khóa",
    "faq": "Câu hỏi thường gặp",
}
