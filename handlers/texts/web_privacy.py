"""Data-subject requests in the staff console (/staff/privacy) and the service behind it."""

WEB_NAV_PRIVACY = "Dữ liệu cá nhân"
WEB_HOME_PRIVACY = "Yêu cầu của người dân về dữ liệu cá nhân (sửa, phản đối…) và thời hạn trả lời."
WEB_HOME_PRIVACY_COUNTS = "Đang mở: {open}, quá hạn: {late}."

# --- the service (handlers/privacy_staff.py), also shown by `motcua privacy …`
WEB_PV_NOT_FOUND = "Không có yêu cầu YC-{id}."
WEB_PV_ALREADY_CLOSED = "Yêu cầu YC-{id} đã được xử lý xong trước đó."
WEB_PV_ALREADY_ACKNOWLEDGED = "Yêu cầu YC-{id} đã được báo tiếp nhận trước đó."
WEB_PV_NEED_OUTCOME = "Anh/chị vui lòng ghi đã làm gì (không ghi thông tin cá nhân)."
WEB_PV_NEED_REASON = "Anh/chị vui lòng ghi lý do không thực hiện được."
WEB_PV_TOO_LONG = "Nội dung dài quá {n} ký tự, anh/chị vui lòng rút gọn."

# --- /staff/privacy
WEB_PV_TITLE = "Yêu cầu về dữ liệu cá nhân"
WEB_PV_INTRO = (
    "Người dân gửi yêu cầu bằng lệnh /yeucaudulieu. Việc trợ lý làm được ngay (xem, tải, xóa, rút lại "
    "đồng ý, sửa số điện thoại) đã xong; các yêu cầu dưới đây cần cán bộ xử lý. Theo Nghị định "
    "356/2025/NĐ-CP, cơ quan phải báo tiếp nhận trong {ack_days} ngày làm việc và giải quyết trong thời hạn ghi ở mỗi dòng."
)
WEB_PV_OPEN = "Yêu cầu đang mở"
WEB_PV_OPEN_NONE = "Không có yêu cầu nào đang chờ xử lý."
WEB_PV_RECENT = "Đã xử lý gần đây"
WEB_PV_RECENT_NONE = "Chưa có yêu cầu nào được xử lý."
WEB_PV_COL_ID = "Mã"
WEB_PV_COL_KIND = "Loại yêu cầu"
WEB_PV_COL_RECEIVED = "Nhận lúc"
WEB_PV_COL_ACK = "Báo tiếp nhận trước"
WEB_PV_COL_DUE = "Giải quyết trước"
WEB_PV_COL_STATUS = "Tình trạng"
WEB_PV_COL_OUTCOME = "Kết quả"
WEB_PV_ACKED = "đã báo {at}"
WEB_PV_LATE = "Quá hạn"
WEB_PV_ACK_LATE = "Chưa báo tiếp nhận, quá hạn"
WEB_PV_KIND = {
    "view": "Xem dữ liệu",
    "provide": "Cung cấp dữ liệu",
    "correct": "Sửa thông tin",
    "delete": "Xóa dữ liệu",
    "withdraw": "Rút lại đồng ý",
    "object": "Phản đối, hạn chế xử lý",
}
WEB_PV_STATUS = {"open": "Đang mở", "done": "Đã giải quyết", "refused": "Không thực hiện được"}

# --- one request
WEB_PV_BACK = "← Danh sách yêu cầu"
WEB_PV_REQUEST_TITLE = "Yêu cầu YC-{id}"
WEB_PV_ASKED = "Nội dung người dân gửi"
WEB_PV_ASKED_NONE = "(Người dân không ghi thêm nội dung.)"
WEB_PV_WHO = "Người gửi"
WEB_PV_WHO_ERASED = "Tài khoản của người gửi không còn; không gửi được tin cho họ."
WEB_PV_HANDLED_BY = "Cán bộ xử lý"
WEB_PV_ACTIONS = "Xử lý"
WEB_PV_ACK_BUTTON = "Báo người dân đã tiếp nhận"
WEB_PV_ACK_HINT = "Trợ lý nhắn người dân: đã tiếp nhận và hạn giải quyết."
WEB_PV_DONE_LABEL = "Đã làm gì (gửi cho người dân; không ghi thông tin cá nhân)"
WEB_PV_DONE_BUTTON = "Đánh dấu đã giải quyết"
WEB_PV_REFUSE_LABEL = "Lý do không thực hiện được (gửi cho người dân)"
WEB_PV_REFUSE_BUTTON = "Không thực hiện được"
WEB_PV_ACK_FLASH = "Đã báo người dân tiếp nhận yêu cầu YC-{id}."
WEB_PV_DONE_FLASH = "Đã ghi nhận yêu cầu YC-{id} đã giải quyết và báo người dân."
WEB_PV_REFUSED_FLASH = "Đã ghi nhận yêu cầu YC-{id} không thực hiện được và báo người dân lý do."
WEB_PV_NOT_TOLD = " Tài khoản của người gửi không còn nên họ không nhận được tin."
