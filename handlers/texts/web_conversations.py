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
