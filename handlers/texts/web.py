"""Staff web console: navigation, sign-in, errors and staff accounts (bot/web/)."""

from __future__ import annotations

# ---------------------------------------------------------------- page frame / navigation
WEB_APP_NAME = "Một cửa – trang cán bộ"
WEB_NAV_HOME = "Trang chính"
WEB_NAV_COMPLAINTS = "Phản ánh"
WEB_NAV_CONVERSATIONS = "Hội thoại"
WEB_NAV_ANNOUNCEMENTS = "Thông báo"
WEB_NAV_STATS = "Thống kê"
WEB_NAV_ACCOUNTS = "Cán bộ"
WEB_NAV_LABEL = "Các mục"
WEB_SIGN_OUT = "Đăng xuất"
WEB_SIGNED_IN_AS = "Đang đăng nhập: {name}"
WEB_ROLE_STAFF = "cán bộ"
WEB_ROLE_ADMIN = "quản trị"
WEB_HOME_TITLE = "Trang chính"
WEB_HOME_INTRO = "Xin chào {name}! Xin mời chọn việc cần làm:"
WEB_HOME_COMPLAINTS = "Xem và trả lời phản ánh, kiến nghị của người dân."
WEB_HOME_CONVERSATIONS = "Nhận trò chuyện với người dân đang chờ cán bộ, danh sách gọi lại."
WEB_HOME_ANNOUNCEMENTS = "Soạn và gửi thông báo tới người dân đã đăng ký."
WEB_HOME_STATS = "Số liệu câu hỏi, phản ánh và đánh giá hài lòng."
WEB_HOME_ACCOUNTS = "Thêm, bớt tài khoản cán bộ được dùng trang này."

# ---------------------------------------------------------------- sign-in by link
CMD_WEB = "Cán bộ: nhận đường dẫn đăng nhập trang cán bộ trên máy tính, điện thoại"
WEB_LINK_MESSAGE = (
    "Đường dẫn đăng nhập trang cán bộ của anh/chị (dùng được một lần, trong {minutes} phút):\n{link}\n"
    "Xin anh/chị không chuyển đường dẫn này cho người khác. Nếu không phải anh/chị yêu cầu, "
    "xin bỏ qua tin nhắn này."
)
WEB_LINK_BUTTON = "Mở trang cán bộ"
WEB_LINK_NO_ACCOUNT = (
    "Xin lỗi anh/chị, tài khoản cán bộ của anh/chị chưa có trong danh sách của trang cán bộ. "
    "Xin anh/chị nhờ quản trị viên thêm vào rồi gõ lại /web."
)
WEB_SIGNIN_TITLE = "Đăng nhập trang cán bộ"
WEB_SIGNIN_HOWTO = (
    "Để đăng nhập, xin anh/chị nhắn /web cho trợ lý tự động (Telegram hoặc Zalo) từ tài khoản cán bộ. "
    "Trợ lý sẽ gửi một đường dẫn đăng nhập dùng một lần, có hiệu lực trong 10 phút."
)
WEB_SIGNIN_ALREADY = "Nếu anh/chị đã đăng nhập trên trình duyệt này, xin bấm vào đây để vào trang chính."
WEB_SIGNIN_CONFIRM_TITLE = "Xác nhận đăng nhập"
WEB_SIGNIN_CONFIRM = (
    "Anh/chị đang mở đường dẫn đăng nhập trang cán bộ. Xin bấm nút dưới đây để đăng nhập trên "
    "trình duyệt này. Đường dẫn chỉ dùng được một lần."
)
WEB_SIGNIN_CONFIRM_BUTTON = "Đăng nhập"
WEB_SIGNIN_LINK_INVALID = (
    "Xin lỗi anh/chị, đường dẫn đăng nhập này không dùng được: có thể đã hết hạn (sau 10 phút), "
    "đã được dùng, hoặc không đúng. Xin anh/chị nhắn /web cho trợ lý để nhận đường dẫn mới."
)
WEB_SIGNIN_RATE_LIMITED = (
    "Xin lỗi anh/chị, trình duyệt này đã thử đăng nhập quá nhiều lần. "
    "Xin anh/chị đợi khoảng {minutes} phút rồi thử lại."
)
WEB_SIGNIN_WELCOME = "Xin chào {name}, anh/chị đã đăng nhập."
WEB_SIGNED_OUT = "Anh/chị đã đăng xuất. Xin cảm ơn anh/chị!"

# ---------------------------------------------------------------- admin password
WEB_PASSWORD_TITLE = "Quản trị viên đăng nhập bằng mật khẩu"
WEB_PASSWORD_IDENTITY = "Tài khoản (kênh:mã, ví dụ telegram:123456789)"
WEB_PASSWORD_FIELD = "Mật khẩu"
WEB_PASSWORD_BUTTON = "Đăng nhập bằng mật khẩu"
WEB_PASSWORD_WRONG = "Xin lỗi anh/chị, tài khoản hoặc mật khẩu không đúng."

# ---------------------------------------------------------------- errors
WEB_FORBIDDEN_TITLE = "Không được phép"
WEB_FORBIDDEN = (
    "Xin lỗi anh/chị, tài khoản của anh/chị không được dùng chức năng này, hoặc phiên đăng nhập "
    "đã hết hạn. Xin anh/chị đăng nhập lại bằng cách nhắn /web cho trợ lý."
)
WEB_CSRF_REFUSED = (
    "Xin lỗi anh/chị, yêu cầu này không được thực hiện vì biểu mẫu đã cũ hoặc không gửi từ trang cán bộ. "
    "Không có gì bị thay đổi. Xin anh/chị tải lại trang rồi làm lại."
)
WEB_NOT_FOUND_TITLE = "Không tìm thấy"
WEB_NOT_FOUND = "Xin lỗi anh/chị, không tìm thấy trang này."
WEB_BACK_HOME = "Về trang chính"

# ---------------------------------------------------------------- staff accounts
WEB_ACCOUNTS_TITLE = "Tài khoản cán bộ"
WEB_ACCOUNTS_INTRO = (
    "Những tài khoản Telegram, Zalo dưới đây được dùng chức năng cán bộ trong trò chuyện và trang này."
)
WEB_ACCOUNTS_EMPTY = "Chưa có tài khoản cán bộ nào."
WEB_ACCOUNTS_COL_IDENTITY = "Tài khoản"
WEB_ACCOUNTS_COL_NAME = "Tên"
WEB_ACCOUNTS_COL_ROLE = "Vai trò"
WEB_ACCOUNTS_COL_SOURCE = "Nguồn"
WEB_ACCOUNTS_SOURCE = {"file": "tệp danh sách", "inline": "cấu hình MOTCUA_STAFF", "web": "trang cán bộ"}
WEB_ACCOUNTS_REMOVE = "Xóa"
WEB_ACCOUNTS_REMOVE_CONFIRM = "Xóa tài khoản {identity} khỏi danh sách cán bộ?"
WEB_ACCOUNTS_YOU = "(anh/chị)"
WEB_ACCOUNTS_ADD_TITLE = "Thêm hoặc sửa tài khoản cán bộ"
WEB_ACCOUNTS_CHANNEL = "Kênh"
WEB_ACCOUNTS_CHANNELS = {"telegram": "Telegram", "zalo_oa": "Zalo OA", "zalo_bot": "Zalo Bot"}
WEB_ACCOUNTS_PLATFORM_ID = "Mã tài khoản trên kênh (chỉ gồm chữ số, chữ cái)"
WEB_ACCOUNTS_NAME = "Tên để nhận ra (ví dụ: Nguyễn Văn A – Tư pháp)"
WEB_ACCOUNTS_ROLE = "Vai trò"
WEB_ACCOUNTS_ADD_BUTTON = "Lưu tài khoản"
WEB_ACCOUNTS_ADDED = "Đã lưu tài khoản {identity} ({role})."
WEB_ACCOUNTS_REMOVED = "Đã xóa tài khoản {identity}."
WEB_ACCOUNTS_BAD_CHANNEL = "Xin chọn một kênh trong danh sách."
WEB_ACCOUNTS_BAD_ID = "Mã tài khoản chỉ gồm chữ số, chữ cái, dấu gạch (tối đa 64 ký tự)."
WEB_ACCOUNTS_BAD_NAME = "Tên dài tối đa 120 ký tự."
WEB_ACCOUNTS_BAD_ROLE = "Xin chọn vai trò cán bộ hoặc quản trị."
WEB_ACCOUNTS_NOT_FOUND = "Không tìm thấy tài khoản này; có thể đã được xóa."
WEB_ACCOUNTS_NOT_SELF = "Anh/chị không thể tự xóa tài khoản của mình; xin nhờ một quản trị viên khác."
WEB_ACCOUNTS_INLINE = (
    "Tài khoản {identity} được khai báo trong cấu hình MOTCUA_STAFF của máy chủ; "
    "xin nhờ người quản lý máy chủ sửa cấu hình đó."
)
WEB_ACCOUNTS_LAST_ADMIN = "Không thể bỏ quản trị viên cuối cùng; xin thêm một quản trị viên khác trước."
