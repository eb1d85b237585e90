# Runtime interface client for ruby3: loads _HANDLER (file.method or file.Module::Class.method) from LAMBDA_TASK_ROOT and
# serves the Lambda Runtime API, as AWS's aws_lambda_ric gem does: the handler is called with keywords event: and
# context:, errors are {errorMessage, errorType: "Function<Class>", stackTrace}, init errors "Init<Class>" on /init/error.
# Run as `ruby bootstrap.rb`. One persistent HTTP connection to the Runtime API; output unbuffered.
require 'json'
require 'net/http'
require 'stringio'
require 'time'

$stdout.sync = true
$stderr.sync = true

module KlambdaRuntime
  BASE = '/2018-06-01/runtime'

  # A keep-alive connection to the Runtime API that reconnects once if the agent closed it.
  class Client
    def initialize(address)
      host, _, port = address.rpartition(':')
      @host = host
      @port = Integer(port)
      @http = nil
    end

    def call(method, path, body = nil, headers = {})
      2.times do |attempt|
        @http ||= open_http
        begin
          req = method == 'GET' ? Net::HTTP::Get.new(BASE + path, headers) : Net::HTTP::Post.new(BASE + path, headers)
          req.body = body if body
          return @http.request(req)
        rescue EOFError, Errno::ECONNRESET, Errno::EPIPE, IOError
          @http&.finish rescue nil # rubocop:disable Style/RescueModifier
          @http = nil
          raise if attempt == 1
        end
      end
    end

    private

    def open_http
      http = Net::HTTP.new(@host, @port)
      http.read_timeout = nil # /next waits for the next event as long as it takes
      http.keep_alive_timeout = 3600
      http.start
    end
  end

  # The error a handler raised, as AWS's Ruby runtime reports it.
  class LambdaError
    # Error classes whose name AWS puts in Lambda-Runtime-Function-Error-Type as they are; others are Function<UserException>.
    STANDARD = %w[ArgumentError NoMethodError Exception StandardError NameError LoadError SystemExit SystemStackError].freeze

    def initialize(error, classification)
      @class_name = error.class.to_s
      @type = "#{classification}<#{error.class}>"
      @message = error.message
      here = File.dirname(File.expand_path(__FILE__))
      # the trace starts in the function's code: this file's frames (and those below it) are left out
      @trace = (error.backtrace || []).take_while { |line| !line.start_with?(here) }.first(100)
    end

    def header_type
      if STANDARD.include?(@class_name) then @type else "#{@type[/\A\w+/]}<UserException>" end
    end

    def body
      { errorMessage: @message, errorType: @type, stackTrace: @trace }
    end
  end

  # AWS's Ruby context object.
  class LambdaContext
    attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name, :function_name,
                :memory_limit_in_mb, :function_version, :identity, :client_context, :deadline_ms

    def initialize(headers)
      @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
      @aws_request_id = headers['lambda-runtime-aws-request-id']
      @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
      @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
      @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
      @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
      @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
      @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
      @identity = KlambdaRuntime.json_header(headers['lambda-runtime-cognito-identity'])
      @client_context = KlambdaRuntime.json_header(headers['lambda-runtime-client-context'])
    end

    def get_remaining_time_in_millis # rubocop:disable Naming/AccessorMethodName
      remaining = @deadline_ms - Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond)
      remaining.positive? ? remaining : 0
    end
  end

  # A bad handler string or a handler file that cannot be found: raised at init, reported as Init<Class>.
  class HandlerError < StandardError; end

  def self.json_header(value)
    return nil if value.nil? || value.empty?

    JSON.parse(value)
  rescue JSON::ParserError
    nil
  end

  # [file, class or nil, method] from _HANDLER, with the rules of AWS's LambdaHandler, and the file kept in the code.
  def self.parse_handler(handler, task_root)
    parts = handler.to_s.split('.')
    unless [2, 3].include?(parts.size)
      raise ArgumentError, "Invalid handler #{parts}, must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD where FILENAME corresponds with an existing Ruby source file FILENAME.rb, CLASS is an optional module/class namespace and METHOD is a callable method. If using CLASS, METHOD must be a class-level method."
    end
    file = parts.first
    if file.start_with?('/') || file.split('/').include?('..')
      raise HandlerError, "Bad handler #{handler}: it must name a file inside the function's code (no '..', no absolute path)"
    end
    path = File.join(task_root, "#{file}.rb")
    # a file of the function's code, never one elsewhere on the machine (Ruby's own json.rb, say)
    raise LoadError, "cannot load such file -- #{file}" unless File.file?(path)

    root = File.realpath(task_root)
    unless File.realpath(path).start_with?(root + File::SEPARATOR)
      raise HandlerError, "Bad handler #{handler}: #{file}.rb leads outside the function's code"
    end
    [path, parts.size == 3 ? parts[1] : nil, parts.last]
  end

  # Gems beside the code and in layers, as Lambda's GEM_PATH has them: vendor/bundle/ruby/<version>, /opt/ruby/gems/<version>.
  def self.add_gem_paths(task_root)
    version = RbConfig::CONFIG['ruby_version']
    layers = ENV.fetch('RUBYLIB', '').split(':').select { |p| p.end_with?('/ruby/lib') }.map { |p| File.join(File.dirname(p), 'gems', version) }
    extra = [File.join(task_root, 'vendor', 'bundle', 'ruby', version), *layers].select { |p| File.directory?(p) }
    Gem.paths = { 'GEM_HOME' => Gem.dir, 'GEM_PATH' => (extra + Gem.path).uniq.join(File::PATH_SEPARATOR) } unless extra.empty?
  end

  def self.log_error(message, error)
    puts message
    puts JSON.pretty_generate(error.body)
  end

  def self.post_error(client, path, error)
    client.call('POST', path, JSON.generate(error.body),
                'Content-Type' => 'application/json', 'Lambda-Runtime-Function-Error-Type' => error.header_type)
  end

  # The handler's result as the response body and its content type: an IO's bytes as they are, anything else as JSON.
  def self.marshal(result)
    case result
    when StringIO, IO then [result.read, 'application/unknown']
    else [result.to_json, 'application/json']
    end
  end

  def self.run
    client = Client.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001'))
    task_root = ENV['LAMBDA_TASK_ROOT'] || Dir.pwd
    $LOAD_PATH.unshift(task_root) unless $LOAD_PATH.include?(task_root)
    handler = ENV.fetch('_HANDLER', '')
    # the code runs from its folder, as on Lambda (/var/task), from its first line on
    Dir.chdir(task_root) if File.directory?(task_root)
    begin
      add_gem_paths(task_root)
      path, class_name, method_name = parse_handler(handler, task_root)
      require path
      receiver = class_name ? Kernel.const_get(class_name) : TOPLEVEL_BINDING.receiver
    rescue Exception => e # rubocop:disable Lint/RescueException -- LoadError, SyntaxError and anything the file raises
      error = LambdaError.new(e, 'Init')
      log_error("Init error when loading handler #{handler}", error)
      post_error(client, '/init/error', error)
      exit!(1)
    end

    loop do
      res = client.call('GET', '/invocation/next')
      unless res.is_a?(Net::HTTPSuccess)
        warn "/invocation/next answered #{res.code}: #{res.body.to_s[0, 200]}"
        exit!(1)
      end
      headers = res.each_header.to_h
      request_id = headers['lambda-runtime-aws-request-id']
      $_global_aws_request_id = request_id # rubocop:disable Style/GlobalVars -- AWS's runtime sets it for loggers
      if (trace_id = headers['lambda-runtime-trace-id'])
        ENV['_X_AMZN_TRACE_ID'] = trace_id
      else
        ENV.delete('_X_AMZN_TRACE_ID')
      end
      keep_going = invoke(client, receiver, method_name, request_id, res, headers)
      exit!(1) unless keep_going
    end
  end

  # Runs one event through the handler and posts its answer; false when the runtime must end after it (as AWS's does on
  # a NoMethodError, NameError or an exception that is not a StandardError).
  def self.invoke(client, receiver, method_name, request_id, res, headers)
    path = "/invocation/#{request_id}"
    begin
      raw = res.body.to_s
      event = if res['content-type'] != 'application/json' then raw elsif raw.empty? then nil else JSON.parse(raw) end
    rescue JSON::ParserError => e
      error = LambdaError.new(e, 'Runtime')
      log_error('Error parsing the event', error)
      post_error(client, "#{path}/error", error)
      return true
    end
    context = LambdaContext.new(headers)
    critical = false
    begin
      body, content_type = marshal(receiver.__send__(method_name, event: event, context: context))
    rescue NoMethodError, NameError => e
      critical = true
      error = LambdaError.new(e, 'Function')
    rescue StandardError => e
      error = LambdaError.new(e, 'Function')
    rescue Exception => e # rubocop:disable Lint/RescueException
      critical = true
      error = LambdaError.new(e, 'Function')
    end
    if error
      log_error(critical ? 'Critical exception from handler' : 'Error raised from handler method', error)
      post_error(client, "#{path}/error", error)
      return !critical
    end
    answer = client.call('POST', "#{path}/response", body, 'Content-Type' => content_type)
    puts "[ERROR] Runtime API answered #{answer.code}: #{answer.body}" if answer.code.to_i >= 300
    true
  end
end

KlambdaRuntime.run
