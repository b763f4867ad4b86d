"""Conversations with an officer in the staff console, and the lines the service adds to them."""

# --- the service (handlers/handoff_core.py), also seen by citizens and officers in the chat
WC_NOT_YOURS = "Trò chuyện này không do anh/chị phụ trách (chưa nhận hoặc cán bộ khác đã nhận)."
WC_EMPTY_MESSAGE = "Tin nhắn đang trống, anh/chị vui lòng nhập nội dung."
WC_CITIZEN_GONE = "Không gửi được: người dân đã xóa dữ liệu hoặc không còn liên lạc được qua kênh này."
WC_HANDED_BACK_CITIZEN = (
    "Cán bộ đã chuyển cuộc trò chuyện của anh/chị cho cán bộ khác. Xin anh/chị chờ trong giây lát; "
    "anh/chị cứ nhắn, tôi sẽ chuyển tới cán bộ."
)
WC_HANDED_BACK_STAFF = (
    "🙋 Trò chuyện #{hid} ({name}) được chuyển lại hàng chờ. Bấm «Nhận trò chuyện» để trả lời."
)
# what a system line of a conversation says on the page
WC_EVENT = {
    "taken": "{who} đã nhận trò chuyện.",
    "handed_back": "{who} đã chuyển trò chuyện lại hàng chờ.",
    "ended_staff": "{who} đã kết thúc trò chuyện.",
    "ended_citizen": "Người dân đã kết thúc trò chuyện.",
    "timeout": "Không có cán bộ nhận kịp; trò chuyện đã kết thúc.",
}

# --- /staff/conversations
WC_TITLE = "Hội thoại với người dân"
WC_INTRO = (
    "Người dân nhắn «gặp cán bộ» trong giờ làm việc sẽ vào hàng chờ dưới đây. Anh/chị bấm «Nhận» "
    "để trò chuyện ngay trên trang này; tin nhắn đi qua trợ lý tới người dân."
)
WC_MINE = "Trò chuyện anh/chị đang phụ trách"
WC_MINE_NONE = "Anh/chị chưa nhận trò chuyện nào."
WC_WAITING = "Người dân đang chờ cán bộ"
WC_WAITING_NONE = "Không có ai đang chờ."
WC_COL_WHO = "Người dân"
WC_COL_CHANNEL = "Kênh"
WC_COL_SINCE = "Chờ từ"
WC_COL_ABOUT = "Quan tâm"
WC_COL_MESSAGES = "Tin nhắn"
WC_ABOUT_AREA = "khu vực {area}"
WC_ABOUT_NONE = "chưa rõ"
WC_TAKE = "Nhận"
WC_OPEN = "Mở"
WC_TAKEN_FLASH = "Anh/chị đã nhận trò chuyện #{hid}."
WC_CALLBACKS = "Người dân chờ được gọi lại"
WC_CALLBACKS_NONE = "Không có yêu cầu gọi lại nào đang chờ."
WC_COL_PHONE = "Số điện thoại"
WC_COL_ASKED = "Gửi lúc"
WC_COL_FROM = "Từ"
WC_FROM_HANDOFF = "muốn gặp cán bộ ngoài giờ"
WC_CALLBACK_DONE = "Đã gọi"
WC_CALLBACK_DONE_FLASH = "Đã ghi nhận: yêu cầu gọi lại #{id} đã được gọi."
WC_CALLBACK_NOT_FOUND = "Không tìm thấy yêu cầu gọi lại này."

# --- /staff/conversations/{id}
WC_CONV_TITLE = "Trò chuyện #{hid}"
WC_CONV_WITH = "Với {name} qua {channel}, bắt đầu lúc {since}."
WC_STATUS = {"waiting": "đang chờ cán bộ", "active": "đang trò chuyện", "ended": "đã kết thúc"}
WC_STATUS_LABEL = "Trạng thái"
WC_TAKEN_BY_YOU = "Anh/chị đang phụ trách trò chuyện này."
WC_TAKEN_BY = "Cán bộ phụ trách: {who}."
WC_NO_MESSAGES = "Chưa có tin nhắn nào."
WC_PHOTO_ALT = "Ảnh {who} gửi trong cuộc trò chuyện"
WC_YOU = "Anh/chị"
WC_STAFF = "Cán bộ"
WC_SYSTEM = "Trợ lý"
WC_MESSAGE_LABEL = "Tin nhắn gửi người dân"
WC_MESSAGE_HINT = "Tối đa {limit} ký tự. Người dân nhận qua trợ lý, kèm nút «Trả lời cán bộ»."
WC_SEND = "Gửi"
WC_SENT_FLASH = "Đã gửi tin nhắn tới người dân."
WC_HAND_BACK = "Chuyển lại hàng chờ"
WC_HAND_BACK_HINT = "Để cán bộ khác nhận; người dân được báo chờ thêm."
WC_HANDED_BACK_FLASH = "Đã chuyển trò chuyện #{hid} lại hàng chờ."
WC_END = "Kết thúc trò chuyện"
WC_ENDED_FLASH = "Đã kết thúc trò chuyện #{hid}; người dân được mời đánh giá."
WC_ENDED_NOTE = "Trò chuyện đã kết thúc; không gửi thêm được tin nhắn."
WC_BACK_TO_LIST = "Về danh sách hội thoại"
WC_LIVE_NOTE = "Tin nhắn mới tự hiện ra trên trang này (không cần tải lại)."
WC_SENDING_FAILED = "Chưa gửi được, xin anh/chị thử lại."
