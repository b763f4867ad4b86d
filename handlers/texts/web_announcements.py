"""Announcements in the staff console, and the photo limits the announcement service checks."""

# --- the service (handlers/broadcast_core.py)
WA_PHOTO_EMPTY = "Tệp ảnh trống, anh/chị vui lòng chọn lại ảnh."
WA_PHOTO_TOO_BIG = "Ảnh lớn quá {mb} MB (giới hạn của Zalo), anh/chị vui lòng chọn ảnh nhỏ hơn."
WA_PHOTO_TYPE = "Chỉ gửi được ảnh JPG hoặc PNG."

# --- /staff/announcements
WA_TITLE = "Thông báo tới người dân"
WA_INTRO = (
    "Thông báo được gửi tới người dân đã đăng ký nhận tin, qua trợ lý trên Telegram và Zalo, "
    "theo tốc độ cho phép của từng nền tảng."
)
WA_NEW = "Soạn thông báo mới"
WA_NONE = "Chưa có thông báo nào."
WA_COL_ID = "Số"
WA_COL_TEXT = "Nội dung"
WA_COL_AUDIENCE = "Người nhận"
WA_COL_WHEN = "Gửi lúc"
WA_COL_STATUS = "Trạng thái"
WA_COL_PROGRESS = "Tiến độ"
WA_PROGRESS_OF = "{done}/{total}"

# compose
WA_COMPOSE_TITLE = "Soạn thông báo"
WA_TEXT = "Nội dung thông báo"
WA_TEXT_HINT = (
    "Tối đa {limit} ký tự ({limit_photo} ký tự nếu kèm ảnh). Người dân nhận kèm dòng «Thông báo của {office}» "
    "và cách ngừng nhận tin."
)
WA_PHOTO = "Ảnh kèm theo (không bắt buộc)"
WA_PHOTO_HINT = "Ảnh JPG hoặc PNG, tối đa {mb} MB."
WA_PHOTO_KEPT = "Đã có ảnh kèm theo; chọn ảnh khác để thay."
WA_AUDIENCE = "Gửi cho ai?"
WA_AUDIENCE_GROUP_TOPIC = "Theo chủ đề đã đăng ký"
WA_AUDIENCE_GROUP_AREA = "Theo khu vực"
WA_AUDIENCE_GROUP_CHANNEL = "Theo kênh"
WA_OPTION = "{label} ({n} người)"
WA_LIVE_COUNT = "Sẽ gửi tới {n} người."
WA_WHEN = "Thời điểm gửi"
WA_WHEN_NOW = "Gửi ngay sau khi xác nhận"
WA_WHEN_AT = "Hẹn giờ gửi (giờ Việt Nam):"
WA_PREVIEW_BUTTON = "Xem trước"
WA_BAD_AUDIENCE = "Xin anh/chị chọn người nhận."
WA_BAD_TIME = "Thời điểm gửi phải trong tương lai và trong vòng một năm, ví dụ 25/12 08:30."
WA_PHOTO_GONE = "Ảnh kèm theo không còn, xin anh/chị chọn lại ảnh."

# preview
WA_PREVIEW_TITLE = "Xem trước thông báo"
WA_PREVIEW_INTRO = "Người dân sẽ nhận đúng như dưới đây, trên từng kênh:"
WA_PREVIEW_CHANNEL = "{channel} · {n} người nhận"
WA_PREVIEW_SUMMARY = "Người nhận: {n} ({audience}). Gửi: {when}."
WA_SEND_NOW = "Gửi ngay"
WA_SEND_AT = "Hẹn gửi lúc {when}"
WA_EDIT = "Sửa lại"

# progress
WA_PROGRESS_TITLE = "Thông báo số {id}"
WA_QUEUED_FLASH = "Đã xếp hàng thông báo số {id} tới {n} người nhận."
WA_META = "Tạo lúc {created}; gửi lúc {when}; người nhận: {audience}."
WA_COUNTS = {
    "sent": "Đã gửi",
    "failed": "Lỗi",
    "blocked": "Đã chặn trợ lý",
    "skipped": "Ngoài thời hạn tương tác Zalo",
    "cancelled": "Đã hủy",
    "pending": "Chờ gửi",
}
WA_DONE_OF = "Đã xử lý {done}/{total} ({percent}%)."
WA_AUTO_REFRESH = "Trang tự cập nhật cho tới khi gửi xong."
WA_CANCEL = "Dừng gửi"
WA_CANCEL_HINT = "Các tin chưa gửi sẽ không gửi nữa; tin đã gửi không thu hồi được."
WA_CANCELLED_FLASH = "Đã dừng thông báo số {id}: {n} tin chưa gửi sẽ không gửi nữa."
WA_BACK = "Về danh sách thông báo"
WA_TEXT_LABEL = "Nội dung đã gửi"
